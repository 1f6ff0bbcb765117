// The demo shop: a merchant's own website on its own origin, with Kopilka's widget embedded the
// way a real shop would, under a strict Content-Security-Policy. Its tiny backend signs its
// customers in (a cookie of the shop's own) and mints Kopilka member tokens for them with the
// documented recipe (tools/server/auth/member_token.hpp): the token goes to the widget through
// Kopilka.setMemberToken, never into a cookie or a URL.
//
//   node server.mjs --port 8081 --kopilka http://127.0.0.1:8080 --merchant demo \
//                   --secret-file var/demo-shop.secret
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => {
  if (a.startsWith('--')) pairs.push([a.slice(2), all[i + 1]]);
  return pairs;
}, []));
const port = Number(args.port || 8081);
const host = args.host || '127.0.0.1';
const kopilka = new URL(args.kopilka || 'http://127.0.0.1:8080').origin;
const merchant = args.merchant || 'demo';
const secret = (args.secret || fs.readFileSync(args['secret-file'], 'utf8')).trim();
const dir = path.dirname(fileURLToPath(import.meta.url));

// The shop's customers who are also loyalty members (ids as Kopilka knows them).
const customers = { anna: 'demo-anna', boris: 'demo-boris' };

const b64url = (b) => Buffer.from(b).toString('base64url');
export function mintMemberToken(member, { now = Date.now(), ttlS = 600 } = {}) {
  const iat = Math.floor(now / 1000);
  const body = b64url(JSON.stringify({
    sub: member, mid: merchant, iat, exp: iat + ttlS, nonce: crypto.randomUUID(),
  }));
  return body + '.' + b64url(crypto.createHmac('sha256', secret).update(body).digest());
}

const csp = [
  "default-src 'self'",
  `script-src 'self' ${kopilka} 'wasm-unsafe-eval'`,
  `connect-src 'self' ${kopilka}`,
  "style-src 'self'",
  `img-src 'self' data: ${kopilka}`,
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

// A page: its <main> (first line "<!-- title: … -->") inside layout.html, which embeds the widget.
// With ?widget=off the same page comes without the widget's <script> (tools/bench.sh widget).
const layout = fs.readFileSync(path.join(dir, 'layout.html'), 'utf8');
const layoutWithoutWidget = layout.replace(/^<script src="__KOPILKA__.*\n/m, '');
function page(fragment, widget = true) {
  const title = /^<!-- title: (.*) -->/.exec(fragment);
  const html = widget ? layout : layoutWithoutWidget;
  return html.replace('__TITLE__', () => (title ? title[1] : 'Demo Shop'))
    .replace('__BODY__', () => fragment.replace(/^<!--.*-->\n/, ''))
    .replaceAll('__KOPILKA__', kopilka).replaceAll('__MERCHANT__', merchant);
}

function customerOf(req) {
  const m = /(?:^|;\s*)shop_customer=([a-z]+)/.exec(req.headers.cookie || '');
  return m && customers[m[1]] ? m[1] : null;
}

function send(res, status, body, type, headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  if (req.method === 'POST' && url.pathname === '/api/kopilka-token') {
    const who = customerOf(req);
    if (!who) return send(res, 401, JSON.stringify({ error: 'not signed in' }), 'application/json');
    return send(res, 200, JSON.stringify({ token: mintMemberToken(customers[who]) }),
      'application/json');
  }
  if (req.method === 'POST' && url.pathname === '/api/signin') {
    const who = url.searchParams.get('customer');
    if (!customers[who]) return send(res, 400, 'unknown customer', 'text/plain');
    return send(res, 303, '', 'text/plain', { Location: '/',
      'Set-Cookie': `shop_customer=${who}; Path=/; HttpOnly; SameSite=Lax` });
  }
  if (req.method === 'POST' && url.pathname === '/api/signout') {
    return send(res, 303, '', 'text/plain', { Location: '/',
      'Set-Cookie': 'shop_customer=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax' });
  }
  if (req.method === 'GET' && url.pathname === '/api/me') {
    const who = customerOf(req);
    return send(res, 200, JSON.stringify({ customer: who }), 'application/json');
  }
  if (req.method !== 'GET') return send(res, 405, 'method not allowed', 'text/plain');
  const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
  if (!/^[a-z-]+\.(html|js|css|svg)$/.test(name) || name === 'layout.html')
    return send(res, 404, 'not found', 'text/plain');
  fs.readFile(path.join(dir, name), (err, data) => {
    if (err) return send(res, 404, 'not found', 'text/plain');
    if (!name.endsWith('.html')) return send(res, 200, data, types[path.extname(name)]);
    const widget = url.searchParams.get('widget') !== 'off';
    send(res, 200, page(data.toString('utf8'), widget), types['.html']);
  });
});

server.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`demo shop listening on http://${host}:${actual}/ (widget from ${kopilka})`);
});
