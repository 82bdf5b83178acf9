#!/usr/bin/env node
// Prints its arguments as one line on stderr (a portable progress note for package scripts).
console.error(process.argv.slice(2).join(" "));
