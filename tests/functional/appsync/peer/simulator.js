// Starts the AWS Amplify AppSync simulator for tests/functional/appsync on 127.0.0.1.
// Usage: node simulator.js PORT, then one line of JSON on stdin: {schema, apiKey, resolvers}.
// Prints one line "READY <port>" when it listens; stops when stdin closes or on SIGTERM.
'use strict';
const http = require('http');

// The simulator listens on every interface; tests must only ever bind to loopback.
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === 'number' && (rest.length === 0 || typeof rest[0] === 'function')) {
    return listen.call(this, port, '127.0.0.1', ...rest);
  }
  return listen.call(this, port, ...rest);
};

const { AmplifyAppSyncSimulator } = require('@aws-amplify/amplify-appsync-simulator');

async function main() {
  const port = Number(process.argv[2]);
  let raw = '';
  process.stdin.setEncoding('utf8');
  const config = await new Promise((resolve) => {
    const onData = (chunk) => {
      raw += chunk;
      const end = raw.indexOf('\n');
      if (end >= 0) {
        process.stdin.off('data', onData);
        resolve(JSON.parse(raw.slice(0, end)));
      }
    };
    process.stdin.on('data', onData);
  });
  const simulator = new AmplifyAppSyncSimulator({ port, wsPort: port });
  // Resolvers on a NONE data source: VTL templates given by the tests (aws-facts §9).
  simulator.init({
    schema: { content: config.schema },
    dataSources: [{ type: 'NONE', name: 'none' }],
    resolvers: config.resolvers.map((r) => ({
      kind: 'UNIT',
      dataSourceName: 'none',
      typeName: r.typeName,
      fieldName: r.fieldName,
      requestMappingTemplate: r.request,
      responseMappingTemplate: r.response,
    })),
    appSync: {
      name: 'quirks-test',
      defaultAuthenticationType: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [
        { authenticationType: 'API_KEY' },
        { authenticationType: 'AWS_IAM' },
      ],
      apiKey: config.apiKey,
    },
  });
  await simulator.start();
  process.stdout.write(`READY ${port}\n`);
  const stop = async () => {
    await simulator.stop();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
