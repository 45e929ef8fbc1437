#!/usr/bin/env node
// Entry point of the `refmaster` command: runs the compiled CLI (built by `npm ci` through `prepare`).
import { run } from '../dist/src/cli.js'
run(process.argv).then((code) => { process.exitCode = code })
