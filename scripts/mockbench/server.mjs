// The graphql-tools peer of the comparison: the schema given as argv[2]
// (SDL), made executable with makeExecutableSchema, mocked with
// addMocksToSchema over a MockStore (as graphql-tools documents it, with
// a DateTime mock and Relay-style pages for the benchmark's connections),
// served on node:http at 127.0.0.1:argv[3] (0: any port). It prints
// "listening PORT" once ready.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { graphql } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { addMocksToSchema, createMockStore } from '@graphql-tools/mock';

const typeDefs = readFileSync(process.argv[2], 'utf8');
const port = Number(process.argv[3] || 0);
const base = makeExecutableSchema({ typeDefs });
const store = createMockStore({
  schema: base,
  mocks: { DateTime: () => new Date(0).toISOString(), Upload: () => 'upload' },
});
// A connection's nodes honour limit, as the Go mock's do.
const page = (type) => (parent, args) => ({
  totalCount: 20,
  nodes: [...Array(Math.min(args.limit ?? 2, 20))].map((_, i) => store.get(type, `${type}-${i}`)),
  pageInfo: { endCursor: 'c', hasNextPage: (args.limit ?? 2) < 20 },
});
const schema = addMocksToSchema({
  schema: base,
  store,
  preserveResolvers: false,
  resolvers: () => ({
    Query: { spaces: page('Space') },
    Space: { members: page('SpaceMember') },
  }),
});

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"bad JSON"}]}');
      return;
    }
    const result = await graphql({ schema, source: body.query, variableValues: body.variables, operationName: body.operationName });
    const out = JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
