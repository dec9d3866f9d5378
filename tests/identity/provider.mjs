// An independent, OpenID-certified provider (npm oidc-provider, pinned in scripts/oidc-provider.sh)
// at its defaults (its development login and consent pages), configured only with what an
// identity platform would hold: our client, a second client of the same platform, the accounts
// (the sandbox dataset's adults), the acr values and the scope claims.
//
// Environment: PORT, RP_URLS (space-separated public URLs of the relying parties under test),
// DATASET (the sandbox dataset JSON), OIDC_PROVIDER (path of oidc-provider's lib/index.js),
// PKJWT_JWK (the public key of the client that authenticates with private_key_jwt).
//
// A login name is an ID number, optionally with a variant: "ID:basic" logs in at a lower level
// of assurance, "ID:noacr" without an acr, "ID:azp" adds azp naming our client (to play a
// token issued to the other client), "ID:short" gets an ID token valid for one second.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER).href);
const port = Number(process.env.PORT);
const rps = process.env.RP_URLS.split(' ').filter(Boolean);
const REALNAME = 'urn:jszwfw:loa:realname:sms';
const BASIC = 'urn:jszwfw:loa:basic';
const people = new Map(
  JSON.parse(readFileSync(process.env.DATASET, 'utf8')).persons.map((p) => [p.id_number, p]),
);

const sha = (text) => createHash('sha256').update(text).digest('hex');

async function findAccount(ctx, id) {
  const [idNumber, variant = ''] = id.split(':');
  const person = people.get(idNumber);
  if (!person) return undefined;
  return {
    accountId: id,
    async claims() {
      const claims = {
        sub: `${variant || 'acct'}-${sha(id).slice(0, 24)}`,
        id_number: idNumber,
        name: person.name,
        phone_number: `139${sha(idNumber).replace(/\D/g, '').slice(0, 8).padEnd(8, '0')}`,
      };
      if (variant === 'azp') claims.azp = 'ruxue-web';
      return claims;
    },
  };
}

const configuration = {
  clients: [
    {
      client_id: 'ruxue-web',
      client_secret: 'ruxue-dev-secret',
      redirect_uris: rps.map((rp) => `${rp}/auth/callback`),
      post_logout_redirect_uris: rps.map((rp) => `${rp}/`),
      backchannel_logout_uri: `${rps[0]}/auth/backchannel-logout`,
      backchannel_logout_session_required: true,
    },
    {
      client_id: 'ruxue-post',
      client_secret: 'ruxue-post-secret',
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: rps.map((rp) => `${rp}/auth/callback`),
    },
    {
      client_id: 'ruxue-pkjwt',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [JSON.parse(process.env.PKJWT_JWK)] },
      redirect_uris: rps.map((rp) => `${rp}/auth/callback`),
    },
    {
      client_id: 'other-app',
      client_secret: 'other-app-secret',
      redirect_uris: ['http://127.0.0.1:9/callback'],
    },
  ],
  acrValues: [REALNAME, BASIC],
  claims: {
    acr: null,
    auth_time: null,
    azp: null,
    iss: null,
    sid: null,
    openid: ['sub'],
    profile: ['name'],
    idcard: ['id_number'],
    phone: ['phone_number'],
  },
  // standard features a government platform offers: back-channel logout, the claims parameter
  features: { backchannelLogout: { enabled: true }, claimsParameter: { enabled: true } },
  ttl: {
    IdToken: (ctx, token) => (String(token.available?.sub).startsWith('short-') ? 1 : 3600),
  },
  findAccount,
  // the relying parties under test listen on loopback, which the default SSRF guard refuses
  fetch: (url, { dispatcher, ...options }) => globalThis.fetch(url, options),
};

const provider = new Provider(`http://127.0.0.1:${port}`, configuration);

// The development login page sets no acr (a real platform's login does: the level of assurance
// it checked). Its form is kept; submitting it finishes the login with the acr of the variant.
function acrOf(login) {
  const variant = login.split(':')[1] || '';
  if (variant === 'basic') return BASIC;
  return variant === 'noacr' ? undefined : REALNAME;
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

provider.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
  const body = await formBody(ctx.req);
  const { prompt, grantId, session, params } = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (body.get('prompt') === 'login' && prompt.name === 'login') {
    const acr = acrOf(body.get('login'));
    result = { login: { accountId: body.get('login'), ...(acr ? { acr } : {}) } };
  } else if (body.get('prompt') === 'consent' && prompt.name === 'consent') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  } else {
    ctx.throw(400, 'unexpected prompt');
  }
  ctx.respond = false;
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
});
provider.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
