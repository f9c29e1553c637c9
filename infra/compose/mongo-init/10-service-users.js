// Run once by the official mongo image's entrypoint, on the first start (an empty /data/db),
// logged in as the root user (MONGO_INITDB_ROOT_USERNAME), before mongod restarts with
// --replSet and --keyFile (which turns authorization on). Creates the users of
// service-users.json beside this file, each with its password from its secret file
// (organising_mongo_<user>_password, copied to /run/organising for mongod's user: see
// docker-compose.yml).
// Never prints a password.
const fs = require('fs');
const folder = '/docker-entrypoint-initdb.d';
const { users } = JSON.parse(fs.readFileSync(`${folder}/service-users.json`, 'utf8'));
const admin = db.getSiblingDB('admin');
for (const [user, roles] of Object.entries(users)) {
  const pwd = fs.readFileSync(`/run/organising/organising_mongo_${user}_password`, 'utf8').trim();
  admin.createUser({ user, pwd, roles, mechanisms: ['SCRAM-SHA-256'] });
  print(`created MongoDB user ${user}: ${roles.map((r) => `${r.role}@${r.db}`).join(', ')}`);
}
