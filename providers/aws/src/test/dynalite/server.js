// Starts dynalite in memory on a free port of 127.0.0.1 and prints "LISTENING <port>" once it
// accepts requests; stops when stdin closes (the test JVM ended or closed it).
'use strict';
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('LISTENING ' + server.address().port + '\n');
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
