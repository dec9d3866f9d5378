// Several county systems as independent relying parties with panva's openid-client
// (OpenID-certified), one JSON command a line over stdin, one JSON answer a line on stdout;
// driven by tests/provider/test_openid_client_flows.py (re-authentication, pairwise subjects,
// RP-initiated logout with and without a hint).
import readline from 'node:readline';

const client = await import(process.env.OPENID_CLIENT);
const say = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const configs = {};
const pending = {};

const commands = {
  async discover({ issuer, client_id: id, secret }) {
    configs[id] = await client.discovery(new URL(issuer), id, secret,
      undefined, { execute: [client.allowInsecureRequests] });
    return { ok: true };
  },
  async authorize({ client_id: id, redirect_uri: redirect, extra = {} }) {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    pending[state] = {
      pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state,
      idTokenExpected: true, maxAge: extra.max_age === undefined ? undefined : Number(extra.max_age),
    };
    const url = client.buildAuthorizationUrl(configs[id], {
      redirect_uri: redirect, scope: 'openid', nonce, state, ...extra,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { authorize: url.href };
  },
  async callback({ client_id: id, url }) {
    const state = new URL(url).searchParams.get('state');
    const tokens = await client.authorizationCodeGrant(configs[id], new URL(url), pending[state]);
    delete pending[state];
    return { claims: tokens.claims(), id_token: tokens.id_token };
  },
  async end_session({ client_id: id, params }) {
    return { end_session: client.buildEndSessionUrl(configs[id], params).href };
  },
};

for await (const line of readline.createInterface({ input: process.stdin })) {
  const { op, ...args } = JSON.parse(line);
  try {
    say(await commands[op](args));
  } catch (err) {
    say({ error: err.code || String(err), message: String(err) });
  }
}
