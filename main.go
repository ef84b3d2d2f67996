package main

// vigil:ignore github-pat-classic
const a = ""

var cfg = `  // vigil:ignore
token: 
`

const keep = ""
