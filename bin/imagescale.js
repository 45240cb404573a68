#!/usr/bin/env node
// The CLI is built by electron-vite with the app's other Node entries (npm run build).
require('../out/main/cli.js')
