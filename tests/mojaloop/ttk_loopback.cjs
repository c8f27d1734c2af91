// Preloaded into the Testing Toolkit's node process by tests/mojaloop/ttk.py (`node --require`): the toolkit
// hard-codes its control API on port 5050 and listens on every interface. Here every server it opens binds to
// 127.0.0.1, and port 5050 becomes INZIRA_TTK_CONTROL_PORT, so test runs on one machine do not collide.
'use strict'
const net = require('node:net')

const controlPort = Number(process.env.INZIRA_TTK_CONTROL_PORT || 5050)
const originalListen = net.Server.prototype.listen

net.Server.prototype.listen = function listenOnLoopback (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    const port = Number(args[0]) === 5050 ? controlPort : Number(args[0])
    const rest = typeof args[1] === 'string' ? args.slice(2) : args.slice(1)
    return originalListen.call(this, port, '127.0.0.1', ...rest)
  }
  if (args[0] && typeof args[0] === 'object' && !Array.isArray(args[0]) && args[0].port !== undefined) {
    const options = { ...args[0], host: '127.0.0.1' }
    if (Number(options.port) === 5050) options.port = controlPort
    return originalListen.call(this, options, ...args.slice(1))
  }
  return originalListen.apply(this, args)
}
