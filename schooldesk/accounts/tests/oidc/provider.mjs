// A real OpenID Connect provider (the npm package oidc-provider) on loopback, standing in for Microsoft Entra ID and
// Google in the tests (docs/decisions/0031). Started by the `oidc_provider` fixture (accounts/tests/conftest.py):
//
//   node provider.mjs <port>
//   OIDC_CLIENTS:  JSON list of {client_id, client_secret, redirect_uris}
//   OIDC_ACCOUNTS: JSON object, account id (an email address) -> its claims {email, email_verified, tid | hd, amr,
//                  given_name, family_name, name}
//
// Its sign-in page asks only which account (filled in from the login_hint): no passwords, no consent page. The ID
// token carries the account's claims (conformIdTokenClaims off) and the `amr` the account lists.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]').map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
  ...client,
}));
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const CLAIMS = ['email', 'email_verified', 'tid', 'hd', 'name', 'given_name', 'family_name'];

const provider = new Provider(issuer, {
  clients,
  claims: {
    acr: null, auth_time: null, iss: null, sid: null,
    openid: ['sub', 'tid', 'hd', 'amr'], // amr: how the account signed in (['pwd', 'mfa']), in every ID token
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  conformIdTokenClaims: false,
  cookies: { keys: ['schooldesk-test-provider'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => false },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id };
        for (const name of CLAIMS) if (name in account) claims[name] = account[name];
        return claims;
      },
    };
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function body(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return new URLSearchParams(data);
}

const callback = provider.callback();
http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (!url.pathname.startsWith('/interaction/')) return callback(req, res);
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      const hint = details.params.login_hint || '';
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(`<!doctype html><html lang="en"><head><title>Test identity provider</title></head><body>
<h1>Test identity provider</h1><form method="post" action="${url.pathname}">
<label for="account">Account</label> <input id="account" name="account" value="${escape(hint)}">
<button type="submit">Continue</button></form></body></html>`);
    }
    const accountId = (await body(req)).get('account') || '';
    if (!accounts[accountId]) {
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown account' });
    }
    const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    grant.addOIDCClaims(CLAIMS);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, {
      login: { accountId, amr: accounts[accountId].amr || ['pwd'] },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}).listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
