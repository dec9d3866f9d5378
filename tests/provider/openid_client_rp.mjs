// A county system as an independent relying party: panva's openid-client (OpenID-certified),
// driven line by line over stdin/stdout by tests/provider/test_openid_client.py.
import http from 'node:http';
import readline from 'node:readline';

const client = await import(process.env.OPENID_CLIENT);
const jose = await import(process.env.JOSE);
const say = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const next = async () => (await lines.next()).value;

let config;
let loggedOut;
const loggedOutPromise = new Promise((resolve) => { loggedOut = resolve; });
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', async () => {
    try {
      const token = new URLSearchParams(body).get('logout_token');
      const jwks = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
      const { payload } = await jose.jwtVerify(token, jwks, {
        issuer: config.serverMetadata().issuer, audience: process.env.CLIENT_ID, typ: 'logout+jwt',
      });
      if (!payload.events?.['http://schemas.openid.net/event/backchannel-logout'] || payload.nonce) {
        throw new Error('not a logout token');
      }
      res.writeHead(200).end();
      loggedOut(payload);
    } catch (err) {
      res.writeHead(400).end();
      loggedOut({ error: String(err) });
    }
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
say({ backchannel: `http://127.0.0.1:${server.address().port}/backchannel` });

const { issuer, secret } = JSON.parse(await next());  // once the city registered this client
config = await client.discovery(new URL(issuer), process.env.CLIENT_ID, secret,
  undefined, { execute: [client.allowInsecureRequests] });
const verifier = client.randomPKCECodeVerifier();
const nonce = client.randomNonce();
const state = client.randomState();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: process.env.REDIRECT, scope: 'openid profile idcard', nonce, state,
  code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
});
say({ authorize: url.href });
const callback = await next();
const checks = {
  pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true,
};
// the provider advertises RFC 9207: a callback without iss is refused before the code is sent
const stripped = new URL(callback);
stripped.searchParams.delete('iss');
const withoutIss = await client.authorizationCodeGrant(config, stripped, checks)
  .then(() => 'accepted', (err) => err.code || String(err));
const tokens = await client.authorizationCodeGrant(config, new URL(callback), checks);
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
const endSession = client.buildEndSessionUrl(config, {
  id_token_hint: tokens.id_token, post_logout_redirect_uri: process.env.AFTER,
});
say({ claims, userinfo, end_session: endSession.href, without_iss: withoutIss });
say({ logout: await loggedOutPromise });
server.close();
process.exit(0);
