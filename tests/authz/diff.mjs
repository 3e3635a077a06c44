#!/usr/bin/env node
// diff.mjs - differential test of cpwarden's IAM policy engine against @cloud-copilot/iam-simulate.
//
// A seeded generator makes random policy sets (identity-based policies, SCP levels, RCP levels, a
// resource-based policy, a permissions boundary, a session policy) and requests (principal,
// action, resource, condition keys). iam-simulate decides each case; the C driver
// (tests/authz/iam_eval_driver.c) decides the same cases with cpwarden's engine. Decisions are
// compared three ways (allowed / implicit deny / explicit deny). A disagreement in one of the
// classes docs/authorization.md lists (with the AWS documentation that decides it) is counted
// as known; any other fails the run.
//
//   node tests/authz/diff.mjs --driver build/authz_iam_driver [--cases N] [--seed S] [--show K]
//
// Exit 0 when every disagreement is a known class, 1 otherwise, 2 on a setup error.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function usage(msg) {
  console.error(`diff.mjs: ${msg}`);
  console.error('usage: diff.mjs --driver PATH [--cases N] [--seed S] [--show K] [--minimize]');
  process.exit(2);
}

const args = { cases: 2000, seed: 20261205, show: 5, driver: null, minimize: false };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const v = process.argv[i + 1];
  if (a === '--cases') { args.cases = Number(v); i++; }
  else if (a === '--seed') { args.seed = Number(v); i++; }
  else if (a === '--show') { args.show = Number(v); i++; }
  else if (a === '--driver') { args.driver = v; i++; }
  else if (a === '--minimize') { args.minimize = true; }
  else usage(`unknown argument ${a}`);
}
if (!args.driver || !existsSync(args.driver)) usage('--driver must name the built authz_iam_driver');
if (!Number.isInteger(args.cases) || args.cases < 1 || args.cases > 1000000) usage('bad --cases');
if (!existsSync(join(here, 'node_modules', '@cloud-copilot', 'iam-simulate'))) {
  console.error('diff.mjs: @cloud-copilot/iam-simulate is not installed; run scripts/bootstrap ' +
    '(it runs `npm ci --prefix tests/authz`)');
  process.exit(2);
}
const { runSimulation } = await import('@cloud-copilot/iam-simulate');

// ----- seeded randomness (mulberry32) ---------------------------------------------------------
let state = args.seed >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const chance = (p) => rand() < p;
const pick = (list) => list[Math.floor(rand() * list.length)];
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
function some(list, lo, hi) {
  const n = between(lo, hi);
  const out = [];
  for (let i = 0; i < n; i++) out.push(pick(list));
  return [...new Set(out)];
}

// ----- the world --------------------------------------------------------------------------------
const A = '111111111111'; // the caller's account
const B = '222222222222'; // another account
const REGION = 'us-east-1';

function principals() {
  return [
    { kind: 'user', arn: `arn:aws:iam::${A}:user/alice`, account: A, username: 'alice' },
    { kind: 'user', arn: `arn:aws:iam::${A}:user/team/bob`, account: A, username: 'bob' },
    { kind: 'role_session', arn: `arn:aws:sts::${A}:assumed-role/ops/s1`, account: A,
      role_arn: `arn:aws:iam::${A}:role/ops`, username: null },
    { kind: 'user', arn: `arn:aws:iam::${B}:user/carol`, account: B, username: 'carol' },
    { kind: 'role_session', arn: `arn:aws:sts::${B}:assumed-role/deploy/ci`, account: B,
      role_arn: `arn:aws:iam::${B}:role/deploy`, username: null },
  ];
}
// Rarer callers: the root user, a federated user (GetFederationToken; role_arn carries the IAM
// user it derives from) and an AWS service principal.
function rarePrincipals() {
  return [
    { kind: 'root', arn: `arn:aws:iam::${A}:root`, account: A, username: null },
    { kind: 'federated', arn: `arn:aws:sts::${A}:federated-user/alice`, account: A,
      role_arn: `arn:aws:iam::${A}:user/alice`, username: null },
    { kind: 'service', arn: 'events.amazonaws.com', service: 'events.amazonaws.com', account: A,
      username: null },
  ];
}

// Actions with their resource builders; `rp` says the service has resource-based policies.
const SERVICES = [
  { svc: 's3', rp: true, actions: [
    { name: 'GetObject', res: (acct) => `arn:aws:s3:::bucket-${acct.slice(0, 1)}/home/alice/file.txt` },
    { name: 'PutObject', res: (acct) => `arn:aws:s3:::bucket-${acct.slice(0, 1)}/home/bob/data.csv` },
    { name: 'DeleteObject', res: (acct) => `arn:aws:s3:::bucket-${acct.slice(0, 1)}/tmp/x` },
    { name: 'ListBucket', res: (acct) => `arn:aws:s3:::bucket-${acct.slice(0, 1)}` },
  ] },
  { svc: 'sqs', rp: true, actions: [
    { name: 'SendMessage', res: (acct) => `arn:aws:sqs:${REGION}:${acct}:orders` },
    { name: 'ReceiveMessage', res: (acct) => `arn:aws:sqs:${REGION}:${acct}:orders-dlq` },
    { name: 'DeleteQueue', res: (acct) => `arn:aws:sqs:${REGION}:${acct}:orders` },
  ] },
  { svc: 'sns', rp: true, actions: [
    { name: 'Publish', res: (acct) => `arn:aws:sns:${REGION}:${acct}:alerts` },
    { name: 'Subscribe', res: (acct) => `arn:aws:sns:${REGION}:${acct}:alerts` },
  ] },
  { svc: 'secretsmanager', rp: true, actions: [
    { name: 'GetSecretValue', res: (acct) => `arn:aws:secretsmanager:${REGION}:${acct}:secret:db-AbCdEf` },
    { name: 'DeleteSecret', res: (acct) => `arn:aws:secretsmanager:${REGION}:${acct}:secret:db-AbCdEf` },
  ] },
  { svc: 'iam', rp: false, actions: [
    { name: 'GetRole', res: (acct) => `arn:aws:iam::${acct}:role/ops` },
    { name: 'DeleteRole', res: (acct) => `arn:aws:iam::${acct}:role/app/worker` },
    { name: 'GetUser', res: (acct) => `arn:aws:iam::${acct}:user/alice` },
    { name: 'ListRoles', res: () => '*' },
  ] },
  { svc: 'organizations', rp: false, actions: [
    { name: 'ListAccounts', res: () => '*' },
  ] },
  { svc: 'profile', rp: false, actions: [
    { name: 'DeleteDomain', res: (acct) => `arn:aws:profile:${REGION}:${acct}:domains/customers` },
    { name: 'ListDomains', res: () => '*' },
  ] },
];

// Action patterns for a statement about svc/action.
function actionPattern(svc, action) {
  return pick([
    `${svc}:${action}`, `${svc}:${action}`, `${svc}:*`, '*', `${svc}:${action.slice(0, 3)}*`,
    `${svc.toUpperCase()}:${action.toLowerCase()}`, `${svc}:?${action.slice(1)}`,
    `${svc}:List*`, `${svc}:Get*`, `${svc}:Delete*`, `${pick(SERVICES).svc}:*`,
  ]);
}

// Resource patterns around a concrete resource ARN.
function resourcePattern(arn, acct) {
  if (arn === '*') return '*';
  const parts = arn.split(':');
  const cands = ['*', arn, arn, `${arn.slice(0, Math.max(12, arn.length - 4))}*`];
  cands.push(parts.slice(0, 4).join(':') + ':*:' + parts.slice(5).join(':'));
  cands.push(arn.replace(/[a-z](?=[^a-z]*$)/, '?')); // a '?' in the resource id
  if (chance(0.2)) cands.push(arn.replace(/[a-z](?=[^:]*$)/, '?')); // ... or in its type
  cands.push(arn.replace(acct, acct === A ? B : A));
  if (arn.includes('/alice')) cands.push(arn.replace('alice', '${aws:username}'));
  if (arn.includes('/bob')) cands.push(arn.replace('bob', '${aws:username}'));
  if (parts[4] === acct && acct) cands.push(arn.replace(`:${acct}:`, ':${aws:PrincipalAccount}:'));
  return pick(cands);
}

// Condition keys and the values requests and policies draw from.
const KEYS = [
  { key: 'aws:username', type: 'string', values: ['alice', 'bob', 'carol', 'Alice'] },
  { key: 'aws:PrincipalTag/team', type: 'string', values: ['blue', 'red', 'Blue'] },
  { key: 'aws:ResourceTag/team', type: 'string', values: ['blue', 'red', 'green'] },
  { key: 'aws:RequestedRegion', type: 'string', values: ['us-east-1', 'eu-west-1', 'us-west-2'] },
  { key: 'aws:PrincipalOrgID', type: 'string', values: ['o-aaaa1111', 'o-bbbb2222'] },
  { key: 'aws:TagKeys', type: 'list', values: ['env', 'team', 'owner', 'secret'] },
  { key: 'aws:CalledVia', type: 'list', values: ['cloudformation.amazonaws.com', 'athena.amazonaws.com'] },
  { key: 'aws:SourceIp', type: 'ip', values: ['203.0.113.7', '198.51.100.20', '10.1.2.3', '2001:db8::5'] },
  { key: 'aws:SecureTransport', type: 'bool', values: ['true', 'false'] },
  { key: 'aws:MultiFactorAuthPresent', type: 'bool', values: ['true', 'false'] },
  { key: 'aws:MultiFactorAuthAge', type: 'number', values: ['30', '3600', '86400'] },
  { key: 'aws:EpochTime', type: 'number', values: ['1796432400', '1700000000'] },
  { key: 'aws:CurrentTime', type: 'date', values: ['2026-12-05T01:00:00Z', '2025-01-01T00:00:00Z'] },
  { key: 'aws:PrincipalArn', type: 'arn', values: [`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:role/ops`, `arn:aws:iam::${B}:role/deploy`] },
  { key: 'aws:SourceArn', type: 'arn', values: [`arn:aws:sns:${REGION}:${A}:alerts`, `arn:aws:s3:::bucket-1`] },
];
const OPS = {
  string: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase',
    'StringLike', 'StringNotLike'],
  list: ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'],
  ip: ['IpAddress', 'NotIpAddress'],
  bool: ['Bool'],
  number: ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals',
    'NumericGreaterThan', 'NumericGreaterThanEquals'],
  date: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan',
    'DateGreaterThanEquals'],
  arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
};

function conditionValue(k, op) {
  switch (k.type) {
    case 'ip':
      return pick(['203.0.113.0/24', '198.51.100.0/25', '10.0.0.0/8', '2001:db8::/32', '203.0.113.7/32']);
    case 'bool':
      return pick(['true', 'false']);
    case 'number':
      return pick(['60', '3600', '100000', '1796432400', '1700000000']);
    case 'date':
      return pick(['2026-01-01T00:00:00Z', '2026-12-05T01:00:00Z', '2027-06-30T12:00:00Z']);
    case 'arn':
      return pick([`arn:aws:iam::${A}:user/*`, `arn:aws:iam::*:role/ops`, `arn:aws:iam::${A}:role/*`,
        `arn:aws:sns:*:*:alerts`, `arn:aws:s3:::bucket-?`, pick(k.values)]);
    default: {
      const v = pick(k.values);
      if (op.includes('Like') && chance(0.4)) return v.slice(0, 2) + '*';
      if (op.includes('Like') && chance(0.2)) return '?' + v.slice(1);
      if (k.key === 'aws:ResourceTag/team' && chance(0.3)) return '${aws:PrincipalTag/team}';
      return v;
    }
  }
}

function condition() {
  const cond = {};
  const n = between(1, 2);
  for (let i = 0; i < n; i++) {
    const k = pick(KEYS);
    let op = pick(OPS[k.type]);
    if (k.type === 'list' || (k.type === 'string' && chance(0.15))) {
      op = `${pick(['ForAnyValue', 'ForAllValues'])}:${op}`;
    }
    if (chance(0.15)) {
      if (chance(0.5)) {
        cond.Null = { ...(cond.Null || {}), [k.key]: pick(['true', 'false']) };
        continue;
      }
    }
    if (chance(0.2)) op += 'IfExists';
    const values = some([0, 1, 2], 1, 2).map(() => conditionValue(k, op));
    cond[op] = { ...(cond[op] || {}), [k.key]: values.length === 1 ? values[0] : values };
  }
  return cond;
}

function principalElement(req) {
  const p = req.principal;
  if (p.kind === 'service') {
    return pick(['*', { Service: p.service }, { Service: 'sns.amazonaws.com' }, { AWS: A }]);
  }
  return pick([
    '*',
    { AWS: p.arn },
    { AWS: p.account },
    { AWS: `arn:aws:iam::${p.account}:root` },
    { AWS: p.role_arn || `arn:aws:iam::${p.account}:role/ops` },
    { AWS: `arn:aws:iam::${B}:user/carol` },
    { AWS: [p.arn, `arn:aws:iam::${A}:user/alice`] },
    { AWS: A },
    { Service: 'events.amazonaws.com' },
    { AWS: `arn:aws:sts::${A}:federated-user/alice` },
  ]);
}

// One statement for the policy type, about the request (often) or something else.
function statement(type, req, idx) {
  const st = {};
  if (chance(0.4)) st.Sid = `S${idx}`;
  const denyOnly = type === 'rcp';
  st.Effect = denyOnly ? 'Deny' : (chance(type === 'scp' ? 0.35 : 0.3) ? 'Deny' : 'Allow');
  const [svc, action] = req.action.split(':');
  const about = chance(0.8);
  const acts = about ? some([0, 1], 1, 2).map(() => actionPattern(svc, action))
    : [actionPattern(pick(SERVICES).svc, 'Get')];
  const notAction = chance(0.12) && !denyOnly;
  const actsUniq = [...new Set(acts)];
  if (type === 'rcp') {
    // RCPs name the actions of services that support them, never '*'.
    st.Action = actsUniq.map((a) => (a === '*' || a.startsWith('*') ? `${svc}:*` : a));
  } else {
    st[notAction ? 'NotAction' : 'Action'] = actsUniq.length === 1 ? actsUniq[0] : actsUniq;
  }
  if (type === 'resource' || type === 'rcp') {
    if (type === 'rcp') st.Principal = '*';
    else if (chance(0.1) && st.Effect === 'Deny') st.NotPrincipal = { AWS: `arn:aws:iam::${A}:user/alice` };
    else st.Principal = principalElement(req);
  }
  const res = some([0, 1], 1, 2).map(() => resourcePattern(req.resource, req.resource_account || req.principal.account));
  const resUniq = [...new Set(res)];
  const notResource = chance(0.1) && type !== 'rcp';
  st[notResource ? 'NotResource' : 'Resource'] = resUniq.length === 1 ? resUniq[0] : resUniq;
  if (chance(0.35)) st.Condition = condition();
  return st;
}

function policy(type, req) {
  const n = between(1, 3);
  const stmts = [];
  for (let i = 0; i < n; i++) stmts.push(statement(type, req, i));
  // RCPs must say 2012-10-17; the others sometimes use the older language version.
  const old = type !== 'rcp' && chance(0.1);
  return { Version: old ? '2008-10-17' : '2012-10-17', Statement: stmts };
}

const FULL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function makeCase(id) {
  const all = principals();
  const service = pick(SERVICES);
  const act = pick(service.actions);
  let principal = chance(0.08) ? pick(rarePrincipals()) : pick(all);
  const service_principal = principal.kind === 'service';
  const crossAccount = service.rp && chance(0.25);
  const resourceAccount = crossAccount ? (principal.account === A ? B : A) : principal.account;
  const resource = act.res(resourceAccount);
  const req = {
    id,
    principal,
    action: `${service.svc}:${act.name}`,
    resource,
    resource_account: resourceAccount,
    context: {},
  };
  for (const k of KEYS) {
    if (!chance(0.55)) continue;
    if (k.type === 'list') req.context[k.key] = some(k.values, 0, 3);
    else req.context[k.key] = pick(k.values);
  }
  if (principal.username && chance(0.8)) req.context['aws:username'] = principal.username;
  if (chance(0.7)) req.context['aws:PrincipalAccount'] = principal.account;
  const c = {
    ...req,
    identity: [],
    scp: [],
    rcp: [],
    resource_policy: null,
    boundary: null,
    session: null,
  };
  if (service_principal) {
    // A service acts on a resource only through that resource's policy.
    c.resource_policy = service.rp && chance(0.8) ? policy('resource', req) : null;
    return c;
  }
  const nid = between(0, 3);
  for (let i = 0; i < nid; i++) c.identity.push(chance(0.1) ? FULL : policy('identity', req));
  if (chance(0.45)) {
    const levels = between(1, 3);
    for (let l = 0; l < levels; l++) {
      const lv = [];
      if (chance(0.75)) lv.push(FULL);
      if (chance(0.6) || lv.length === 0) lv.push(policy('scp', req));
      c.scp.push(lv);
    }
  }
  if (chance(0.15)) {
    const levels = between(1, 2);
    for (let l = 0; l < levels; l++) c.rcp.push(chance(0.7) ? [policy('rcp', req)] : []);
  }
  if (service.rp && chance(0.5)) c.resource_policy = policy('resource', req);
  if (principal.kind !== 'root' && chance(0.25)) c.boundary = chance(0.2) ? FULL : policy('boundary', req);
  if ((principal.kind === 'role_session' || principal.kind === 'federated') && chance(0.25)) {
    c.session = policy('session', req);
  }
  return c;
}

// ----- iam-simulate -------------------------------------------------------------------------------
async function simulate(c) {
  const sim = {
    request: {
      principal: c.principal.arn,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resource_account },
      contextVariables: c.context,
    },
    identityPolicies: c.identity.map((p, i) => ({ name: `identity-${i}`, policy: p })),
    serviceControlPolicies: c.scp.map((lv, i) => ({
      orgIdentifier: i === 0 ? 'r-root' : `ou-level-${i}`,
      policies: lv.map((p, k) => ({ name: `scp-${i}-${k}`, policy: p })),
    })),
    resourceControlPolicies: c.rcp.map((lv, i) => ({
      orgIdentifier: i === 0 ? 'r-root' : `ou-level-${i}`,
      policies: lv.map((p, k) => ({ name: `rcp-${i}-${k}`, policy: p })),
    })),
    resourcePolicy: c.resource_policy || undefined,
    permissionBoundaryPolicies: c.boundary ? [{ name: 'boundary', policy: c.boundary }] : undefined,
    sessionPolicy: c.session || undefined,
  };
  const r = await runSimulation(sim, {});
  if (r.resultType === 'error') return { error: r.errors };
  const map = { Allowed: 'allowed', ImplicitlyDenied: 'implicitDeny', ExplicitlyDenied: 'explicitDeny' };
  const ignored = r.result?.ignoredContextKeys || [];
  return { decision: map[r.overallResult] || String(r.overallResult), ignored, raw: r };
}

// ----- cpwarden's engine --------------------------------------------------------------------------
function runDriver(cases) {
  return new Promise((resolve, reject) => {
    const child = spawn(args.driver, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`driver exited ${code}`)); return; }
      const byId = new Map();
      for (const line of out.split('\n')) {
        if (!line) continue;
        const o = JSON.parse(line);
        byId.set(o.id, o);
      }
      resolve(byId);
    });
    for (const c of cases) {
      // RCPFullAWSAccess is attached to every level by AWS (and added by iam-simulate).
      const forDriver = { ...c, rcp: c.rcp.map((lv) => [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, ...lv]) };
      child.stdin.write(JSON.stringify(forDriver) + '\n');
    }
    child.stdin.end();
  });
}

// ----- known classes (docs/authorization.md, "Known differences") ------------------------------
// Each returns true when the case is one the documentation decides against iam-simulate.
// The resource-type prefix of an ARN's resource part as iam-simulate splits it (up to the first
// '/' or ':'; none for S3 ARNs without region and account).
function resourceTypePrefix(pattern) {
  const parts = pattern.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return '';
  if (parts[2] === 's3' && parts[3] === '' && parts[4] === '') return '';
  const res = parts.slice(5).join(':');
  const cut = [res.indexOf('/'), res.indexOf(':')].filter((i) => i >= 0);
  return cut.length ? res.slice(0, Math.min(...cut) + 1) : '';
}
function allPolicies(c) {
  const list = [...c.identity];
  for (const lv of c.scp) list.push(...lv);
  for (const lv of c.rcp) list.push(...lv);
  for (const p of [c.resource_policy, c.boundary, c.session]) if (p) list.push(p);
  return list;
}
function allStatements(c) {
  const out = [];
  for (const p of allPolicies(c)) out.push(...(Array.isArray(p.Statement) ? p.Statement : [p.Statement]));
  return out;
}
const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const KNOWN = [
  {
    // IAM User Guide, "IAM JSON policy elements: Resource": wildcards may be used within any ARN
    // segment. iam-simulate requires the resource type ("role/", "secret:") to match literally.
    name: 'wildcard-in-resource-type',
    test: (c) => allStatements(c).some((st) =>
      [...asList(st.Resource), ...asList(st.NotResource)].some((r) => /[*?]/.test(resourceTypePrefix(r)))),
  },
  {
    // IAM User Guide, "Condition operators", ...IfExists: "If the key is not present, evaluate
    // the condition element as true". iam-simulate evaluates ForAnyValue:...IfExists over an
    // absent key as false.
    name: 'forany-ifexists-absent-key',
    test: (c) => allStatements(c).some((st) => Object.entries(st.Condition || {}).some(([op, block]) =>
      /^ForAnyValue:.*IfExists$/i.test(op) &&
      Object.keys(block).some((k) => !Object.keys(c.context).some((ck) => ck.toLowerCase() === k.toLowerCase())))),
  },
  {
    // IAM User Guide, "Policy variables": "Variables were introduced in version 2012-10-17.
    // [...] variables like ${aws:username} are treated as literal strings in the policy."
    // iam-simulate expands them whatever the Version says.
    name: 'variables-in-2008-10-17-policy',
    test: (c) => allPolicies(c).some((p) => p.Version !== '2012-10-17' && JSON.stringify(p).includes('${')),
  },
  {
    // IAM User Guide, "Policies and permissions", session policies: "A resource-based policy
    // can specify the ARN of the session as a principal. [...] The resource-based policy
    // permissions are not limited by the session policy." iam-simulate applies the session
    // policy before it looks at the resource-based policy.
    name: 'session-arn-grant-not-limited-by-session-policy',
    test: (c, ours) => ours === 'allowed' && c.session && c.resource_policy &&
      (c.principal.kind === 'role_session' || c.principal.kind === 'federated') &&
      asList(c.resource_policy.Statement).some((st) => st.Effect === 'Allow' && st.Principal &&
        typeof st.Principal === 'object' && asList(st.Principal.AWS).includes(c.principal.arn)),
  },
  {
    // IAM User Guide, "How AWS enforcement code logic evaluates requests": "By default, all
    // requests are implicitly denied with the exception of the AWS account root user, which has
    // full access." iam-simulate asks the root user for an identity-based policy like any other.
    name: 'root-user-needs-no-identity-policy',
    test: (c, ours, theirs) => c.principal.kind === 'root' && ours === 'allowed' && theirs === 'implicitDeny',
  },
];

function classify(c, ours, theirs) {
  for (const k of KNOWN) {
    if (k.test(c, ours, theirs)) return k.name;
  }
  return null;
}

// ----- main ---------------------------------------------------------------------------------------
const cases = [];
let generatorErrors = 0;
const errorSamples = [];
for (let i = 0; i < args.cases; i++) {
  // A generated case iam-simulate refuses as invalid input is regenerated (bounded), so that
  // every counted case is one both engines decide.
  let c = null;
  let sim = null;
  for (let attempt = 0; attempt < 20; attempt++) {
    c = makeCase(i);
    sim = await simulate(c);
    if (!sim.error) break;
    generatorErrors++;
    if (errorSamples.length < 3) errorSamples.push(JSON.stringify(sim.error).slice(0, 400));
  }
  if (sim.error) { console.error(`diff.mjs: case ${i}: iam-simulate refused 20 generated cases`); process.exit(2); }
  // Keys iam-simulate ignores for this request are left out for both engines.
  for (const k of sim.ignored) delete c.context[k];
  c.expected = sim.decision;
  cases.push(c);
}

const results = await runDriver(cases);
let agree = 0;
const unknown = [];
const known = new Map();
for (const c of cases) {
  const o = results.get(c.id);
  if (!o || o.error) {
    unknown.push({ c, ours: o ? `error: ${o.error}` : 'missing', theirs: c.expected });
    continue;
  }
  if (o.decision === c.expected) { agree++; continue; }
  const cls = classify(c, o.decision, c.expected);
  if (cls) known.set(cls, (known.get(cls) || 0) + 1);
  else unknown.push({ c, ours: o.decision, theirs: c.expected });
}

const total = cases.length;
const pct = (n) => ((100 * n) / total).toFixed(2);
console.log(`authz diff: seed ${args.seed}, ${total} cases, iam-simulate 0.1.173`);
console.log(`  agree: ${agree} (${pct(agree)}%)`);
for (const [name, n] of known) console.log(`  known difference '${name}': ${n} (${pct(n)}%)`);
console.log(`  unexplained: ${unknown.length} (${pct(unknown.length)}%)`);
console.log(`  regenerated inputs iam-simulate refused: ${generatorErrors}`);
for (const s of errorSamples) console.log(`    e.g. ${s}`);
// --minimize: shrink each shown disagreement (drop policies, statements, conditions and context
// keys while the two engines still disagree) so that its cause is plain to read.
async function bothDecide(c) {
  const sim = await simulate(c);
  if (sim.error) return null;
  const ours = (await runDriver([c])).get(c.id);
  if (!ours || ours.error) return null;
  return { ours: ours.decision, theirs: sim.decision };
}
function shrinkCandidates(c) {
  const out = [];
  const clone = () => JSON.parse(JSON.stringify(c));
  const policies = (x) => {
    const list = [...x.identity];
    for (const lv of x.scp) list.push(...lv);
    for (const lv of x.rcp) list.push(...lv);
    for (const p of [x.resource_policy, x.boundary, x.session]) if (p) list.push(p);
    return list;
  };
  for (let i = 0; i < c.identity.length; i++) { const x = clone(); x.identity.splice(i, 1); out.push(x); }
  for (const f of ['scp', 'rcp']) {
    for (let l = 0; l < c[f].length; l++) {
      const x = clone(); x[f].splice(l, 1); out.push(x);
      for (let k = 0; k < c[f][l].length; k++) { const y = clone(); y[f][l].splice(k, 1); out.push(y); }
    }
  }
  for (const f of ['resource_policy', 'boundary', 'session']) if (c[f]) { const x = clone(); x[f] = null; out.push(x); }
  const n = policies(c).length;
  for (let pi = 0; pi < n; pi++) {
    const st = policies(c)[pi].Statement;
    const stmts = Array.isArray(st) ? st : [st];
    for (let si = 0; si < stmts.length; si++) {
      if (stmts.length > 1) { const x = clone(); policies(x)[pi].Statement.splice(si, 1); out.push(x); }
      if (stmts[si].Condition) {
        const x = clone(); const sx = policies(x)[pi].Statement; delete (Array.isArray(sx) ? sx[si] : sx).Condition; out.push(x);
        for (const op of Object.keys(stmts[si].Condition)) {
          const y = clone(); const sy = policies(y)[pi].Statement; delete (Array.isArray(sy) ? sy[si] : sy).Condition[op]; out.push(y);
        }
      }
    }
  }
  for (const k of Object.keys(c.context)) { const x = clone(); delete x.context[k]; out.push(x); }
  return out;
}
async function minimize(c) {
  let cur = c;
  for (let round = 0; round < 200; round++) {
    let shrunk = false;
    for (const cand of shrinkCandidates(cur)) {
      const d = await bothDecide(cand);
      if (d && d.ours !== d.theirs) { cur = cand; shrunk = true; break; }
    }
    if (!shrunk) break;
  }
  const d = await bothDecide(cur);
  cur.expected = d ? d.theirs : cur.expected;
  return { c: cur, ours: d ? d.ours : '?', theirs: d ? d.theirs : '?' };
}
for (let ui = 0; ui < Math.min(unknown.length, args.show); ui++) {
  if (args.minimize) unknown[ui] = await minimize(unknown[ui].c);
}
for (const u of unknown.slice(0, args.show)) {
  const { expected, ...rest } = u.c;
  console.log(`--- case ${u.c.id}: cpwarden ${u.ours}, iam-simulate ${u.theirs}`);
  console.log(JSON.stringify(rest));
}
process.exit(unknown.length === 0 ? 0 : 1);
