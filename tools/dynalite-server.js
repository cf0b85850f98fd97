#!/usr/bin/env node
// dynalite 4.0.0 with the DynamoDB operations it lacks and the store needs, for tests only.
//
// dynalite answers UnknownOperationException to TransactWriteItems, TransactGetItems and UpdateTimeToLive,
// and drops StreamSpecification. This runs dynalite in-process and adds them in front of it:
// - TransactWriteItems takes an exclusive lock (every other request holds a shared one), applies each
//   operation through dynalite itself (so conditions and updates are dynalite's), and on any failed
//   condition restores every touched item and answers TransactionCanceledException with one reason per
//   item, as DynamoDB does. Nothing outside the transaction can see its intermediate states.
// - TransactGetItems reads each item under a shared lock (transactions are excluded meanwhile).
// - UpdateTimeToLive / DescribeTimeToLive and StreamSpecification are remembered per table and reported
//   (no item ever expires here: DynamoDB itself deletes expired items lazily, so readers cannot rely on it).
//
// Usage: node dynalite-server.js [--host 127.0.0.1] [--port 0] [--createTableMs 500] [--exitWithStdin] ...
// Prints "Dynalite listening at: http://HOST:PORT" once it accepts requests; port 0 picks a free port.
'use strict'

const http = require('http')
const crypto = require('crypto')
const zlib = require('zlib')
const dynalite = require('dynalite')

const args = parseArgs(process.argv.slice(2))
const host = args.host || '127.0.0.1'
const options = {}
for (const name of [ 'createTableMs', 'deleteTableMs', 'updateTableMs', 'maxItemSizeKb' ]) {
  if (args[name] != null) options[name] = Number(args[name])
}

const server = dynalite(options)
const dynaliteHandler = server.listeners('request')[0]
server.removeAllListeners('request')

// Sub-requests of a transaction carry this token and bypass the lock that the transaction holds.
const internalToken = crypto.randomBytes(16).toString('hex')
const ttl = new Map()
const streams = new Map()
let port = 0

server.on('request', (req, res) => {
  const op = String(req.headers['x-amz-target'] || '').split('.')[1]
  if (req.headers['x-internal-token'] === internalToken) return dynaliteHandler(req, res)
  const special = handlers[op]
  if (!special) {
    return lock.acquire(false).then(() => {
      let released = false
      const release = () => {
        if (!released) {
          released = true
          lock.release(false)
        }
      }
      res.on('finish', release)
      res.on('close', release)
      dynaliteHandler(req, res)
    })
  }
  readBody(req)
    .then(body => special(JSON.parse(body || '{}'), req))
    .then(([ status, data ]) => send(res, status, data))
    .catch(err => send(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(err && err.stack || err) }))
})

const handlers = {
  async TransactWriteItems (data, req) {
    const items = data.TransactItems || []
    if (items.length < 1 || items.length > 100) {
      return validation('Member must have length less than or equal to 100 and greater than or equal to 1')
    }
    const ops = []
    const seen = new Set()
    for (const entry of items) {
      const kinds = Object.keys(entry).filter(k => entry[k] != null)
      if (kinds.length !== 1) return validation('TransactItems can only contain one of Check, Put, Update or Delete')
      const kind = kinds[0]
      const spec = entry[kind]
      const schema = await keySchema(spec.TableName, req)
      if (schema.error) return schema.error
      const key = {}
      for (const name of schema.names) {
        const source = kind === 'Put' ? spec.Item : spec.Key
        if (!source || source[name] == null) return validation('The provided key element does not match the schema')
        key[name] = source[name]
      }
      const identity = spec.TableName + '\u0000' + JSON.stringify(schema.names.map(n => key[n]))
      if (seen.has(identity)) return validation('Transaction request cannot include multiple operations on one item')
      seen.add(identity)
      ops.push({ kind, spec, key })
    }

    await lock.acquire(true)
    try {
      const applied = []
      const reasons = []
      let failed = false
      for (const { kind, spec, key } of ops) {
        const before = await call('GetItem', { TableName: spec.TableName, Key: key, ConsistentRead: true }, req)
        if (before.status !== 200) return await rollback(applied, req, [ before.status, before.body ])
        const snapshot = before.body.Item
        const common = {
          TableName: spec.TableName,
          ConditionExpression: spec.ConditionExpression,
          ExpressionAttributeNames: spec.ExpressionAttributeNames,
          ExpressionAttributeValues: spec.ExpressionAttributeValues,
        }
        let result
        if (kind === 'Put') result = await call('PutItem', { ...common, Item: spec.Item }, req)
        else if (kind === 'Update') result = await call('UpdateItem', { ...common, Key: key, UpdateExpression: spec.UpdateExpression }, req)
        else result = await call('DeleteItem', { ...common, Key: key }, req) // Delete, and ConditionCheck (restored below)

        if (result.status === 200) {
          applied.push({ table: spec.TableName, key, snapshot })
          if (kind === 'ConditionCheck') await restore({ table: spec.TableName, key, snapshot }, req)
          reasons.push({ Code: 'None' })
          continue
        }
        failed = true
        const type = String(result.body.__type || '')
        if (type.endsWith('#ConditionalCheckFailedException')) {
          const reason = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
          if (spec.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && snapshot) reason.Item = snapshot
          reasons.push(reason)
        }
        else if (type.endsWith('#ValidationException')) {
          reasons.push({ Code: 'ValidationError', Message: result.body.message || result.body.Message })
        }
        else {
          return await rollback(applied, req, [ result.status, result.body ])
        }
      }
      if (!failed) return [ 200, {} ]
      const codes = reasons.map(r => r.Code).join(', ')
      return await rollback(applied, req, [ 400, {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [' + codes + ']',
        CancellationReasons: reasons,
      } ])
    }
    finally {
      lock.release(true)
    }
  },

  async TransactGetItems (data, req) {
    const items = data.TransactItems || []
    if (items.length < 1 || items.length > 100) {
      return validation('Member must have length less than or equal to 100 and greater than or equal to 1')
    }
    await lock.acquire(false)
    try {
      const responses = []
      for (const { Get: get } of items) {
        const result = await call('GetItem', { ...get, ConsistentRead: true }, req)
        if (result.status !== 200) return [ result.status, result.body ]
        responses.push(result.body.Item ? { Item: result.body.Item } : {})
      }
      return [ 200, { Responses: responses } ]
    }
    finally {
      lock.release(false)
    }
  },

  async UpdateTimeToLive (data, req) {
    const described = await call('DescribeTable', { TableName: data.TableName }, req)
    if (described.status !== 200) return [ described.status, described.body ]
    const spec = data.TimeToLiveSpecification || {}
    const current = ttl.get(data.TableName)
    if (spec.Enabled && current) return validation('TimeToLive is already enabled')
    if (spec.Enabled) ttl.set(data.TableName, spec.AttributeName)
    else ttl.delete(data.TableName)
    return [ 200, { TimeToLiveSpecification: spec } ]
  },

  async DescribeTimeToLive (data, req) {
    const described = await call('DescribeTable', { TableName: data.TableName }, req)
    if (described.status !== 200) return [ described.status, described.body ]
    const name = ttl.get(data.TableName)
    return [ 200, { TimeToLiveDescription: name ? { TimeToLiveStatus: 'ENABLED', AttributeName: name } : { TimeToLiveStatus: 'DISABLED' } } ]
  },

  async CreateTable (data, req) {
    const result = await call('CreateTable', data, req)
    if (result.status === 200 && data.StreamSpecification && data.StreamSpecification.StreamEnabled) {
      streams.set(data.TableName, data.StreamSpecification)
      decorate(result.body.TableDescription)
    }
    return [ result.status, result.body ]
  },

  async DescribeTable (data, req) {
    const result = await call('DescribeTable', data, req)
    if (result.status === 200) decorate(result.body.Table)
    return [ result.status, result.body ]
  },

  async DeleteTable (data, req) {
    const result = await call('DeleteTable', data, req)
    if (result.status === 200) {
      ttl.delete(data.TableName)
      streams.delete(data.TableName)
    }
    return [ result.status, result.body ]
  },
}

function decorate (table) {
  const spec = table && streams.get(table.TableName)
  if (!spec) return
  table.StreamSpecification = spec
  table.LatestStreamLabel = new Date(table.CreationDateTime * 1000).toISOString()
  table.LatestStreamArn = table.TableArn + '/stream/' + table.LatestStreamLabel
}

async function keySchema (tableName, req) {
  const described = await call('DescribeTable', { TableName: tableName }, req)
  if (described.status !== 200) return { error: [ described.status, described.body ] }
  return { names: described.body.Table.KeySchema.map(k => k.AttributeName) }
}

async function rollback (applied, req, answer) {
  for (const entry of applied.reverse()) await restore(entry, req)
  return answer
}

async function restore ({ table, key, snapshot }, req) {
  const result = snapshot
    ? await call('PutItem', { TableName: table, Item: snapshot }, req)
    : await call('DeleteItem', { TableName: table, Key: key }, req)
  if (result.status !== 200) throw new Error('Rollback failed: ' + JSON.stringify(result.body))
}

function validation (message) {
  return [ 400, { __type: 'com.amazon.coral.validate#ValidationException', message } ]
}

function call (op, payload, req) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(payload)
    const sub = http.request({
      host, port, method: 'POST', path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(body),
        'x-amz-target': 'DynamoDB_20120810.' + op,
        'x-amz-date': req.headers['x-amz-date'] || new Date().toISOString().replace(/[-:]|\.\d+/g, ''),
        authorization: req.headers.authorization || 'AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        'x-internal-token': internalToken,
      },
    }, response => {
      readBody(response).then(text => resolve({ status: response.statusCode, body: text ? JSON.parse(text) : {} }), reject)
    })
    sub.on('error', reject)
    sub.end(body)
  })
}

function readBody (stream) {
  return new Promise((resolve, reject) => {
    const chunks = []
    stream.on('data', chunk => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    stream.on('error', reject)
  })
}

function send (res, status, data) {
  const body = JSON.stringify(data)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/x-amz-json-1.0')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.setHeader('x-amzn-RequestId', crypto.randomBytes(26).toString('hex').toUpperCase())
  if (zlib.crc32) res.setHeader('x-amz-crc32', zlib.crc32(body))
  res.end(body)
}

// A readers-writer lock, first come first served: a waiting transaction holds back later requests.
const lock = (() => {
  let readers = 0
  let writer = false
  const queue = []
  function pump () {
    while (queue.length) {
      const next = queue[0]
      if (next.exclusive) {
        if (writer || readers > 0) return
        writer = true
      }
      else {
        if (writer) return
        readers++
      }
      queue.shift()
      next.resolve()
    }
  }
  return {
    acquire (exclusive) {
      return new Promise(resolve => {
        queue.push({ exclusive, resolve })
        pump()
      })
    },
    release (exclusive) {
      if (exclusive) writer = false
      else readers--
      pump()
    },
  }
})()

function parseArgs (list) {
  const parsed = {}
  for (let i = 0; i < list.length; i++) {
    if (list[i].startsWith('--')) {
      const name = list[i].slice(2)
      const next = list[i + 1]
      if (next == null || next.startsWith('--')) parsed[name] = true
      else parsed[name] = list[++i]
    }
  }
  return parsed
}

server.listen(Number(args.port || 0), host, () => {
  port = server.address().port
  console.log('Dynalite listening at: http://%s:%d', host, port)
})

// With --exitWithStdin (the test fixture), exit once standard input closes, even if the fixture could not kill us.
if (args.exitWithStdin) {
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
}
