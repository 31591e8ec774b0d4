#!/bin/sh
# make-fixtures.sh regenerates the signature fixtures under fixtures/ with
# tools other than Go, so that the tests check hookscope against independent
# implementations: OpenSSL (the "openssl dgst -sha512 -sign" procedure of
# the issue) and Node's crypto (the language of Talkdesk's first sample).
#
# Private keys live only in a temporary directory and are never committed.
# Run from anywhere: sh verify/testdata/make-fixtures.sh
set -eu
cd "$(dirname "$0")"
out=fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# The body every ECDSA fixture signs: compact JSON as Talkdesk sends it.
printf '%s' '{"id":"8b62e0c6001548d7b59f8240d79cb0d7","created_at":"2016-06-14T16:23:07Z","api_version":"1","type":"app.installed","app_id":"f918e2623486417791f3b5a18ca746ce","data":{"installation_id":"9514148a170c4d4aaa344a540cec08c5","account_name":"starship"},"_links":{"root":{"href":"https://api.talkdeskapp.com"}}}' > "$out/body.json"

hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# OpenSSL: one key per curve, DER signature over SHA-512, hex-encoded.
for pair in p256:prime256v1 p384:secp384r1 p521:secp521r1; do
	name=${pair%%:*}
	curve=${pair#*:}
	openssl ecparam -name "$curve" -genkey -noout -out "$tmp/$name.key"
	openssl ec -in "$tmp/$name.key" -pubout -out "$out/openssl-$name.pub.pem" 2>/dev/null
	openssl ec -in "$tmp/$name.key" -pubout -outform DER -out "$tmp/$name.pub.der" 2>/dev/null
	base64 -w0 "$out/openssl-$name.pub.pem" > "$out/openssl-$name.pub.b64pem"
	base64 -w0 "$tmp/$name.pub.der" > "$out/openssl-$name.pub.b64der"
	openssl dgst -sha512 -sign "$tmp/$name.key" -out "$tmp/$name.sig" "$out/body.json"
	openssl dgst -sha512 -verify "$out/openssl-$name.pub.pem" -signature "$tmp/$name.sig" "$out/body.json" >/dev/null
	hexof "$tmp/$name.sig" > "$out/openssl-$name.sig.hex"
done

# OpenSSL: TalkifAI HMAC-SHA256 with a test secret.
printf '%s' '{"id":"evt_def456","type":"call.ended","created":"2024-01-15T10:34:05Z","data":{"callId":"call_xyz","duration":245}}' > "$out/talkifai-body.json"
printf 'sha256=%s' "$(openssl dgst -sha256 -mac HMAC -macopt key:test-talkifai-secret -binary "$out/talkifai-body.json" | od -An -v -tx1 | tr -d ' \n')" > "$out/openssl-talkifai.sig"

# Node: keys per curve, DER and IEEE P1363 (raw r||s) signatures, the key
# as Talkdesk serves it (base64 of PEM); an HMAC and an HS256 JWT whose
# call_id does not fit a float64.
node - "$out" <<'JS'
const crypto = require('crypto');
const fs = require('fs');
const out = process.argv[2];
const body = fs.readFileSync(out + '/body.json');
const cases = [];
for (const curve of ['P-256', 'P-384', 'P-521']) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: curve });
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const der = crypto.sign('sha512', body, { key: privateKey, dsaEncoding: 'der' });
  const raw = crypto.sign('sha512', body, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (!crypto.verify('sha512', body, Buffer.from(pem), der)) throw new Error('der self-check');
  cases.push({
    curve,
    public_key: Buffer.from(pem).toString('base64'),
    sig_der: der.toString('hex'),
    sig_p1363: raw.toString('hex'),
  });
}
fs.writeFileSync(out + '/node-ecdsa.json', JSON.stringify(cases, null, 2) + '\n');

const tbody = fs.readFileSync(out + '/talkifai-body.json');
const hsig = 'sha256=' + crypto.createHmac('sha256', 'test-talkifai-secret').update(tbody).digest('hex');
fs.writeFileSync(out + '/node-talkifai.sig', hsig);

const b64u = (b) => Buffer.from(b).toString('base64url');
const header = b64u('{"alg":"HS256","typ":"JWT"}');
// Written by hand so the digits of call_id stay exact.
const claims = b64u('{"call_id":6543210987654321012,"state":"hangup","direction":"inbound","date_started":1705314845000,"target":{"id":5835806903417856,"type":"user"},"exp":4102444800}');
const input = header + '.' + claims;
const jwt = input + '.' + crypto.createHmac('sha256', 'test-dialpad-secret').update(input).digest('base64url');
fs.writeFileSync(out + '/node-dialpad.jwt', jwt + '\n');
JS
echo "fixtures written to $(pwd)/$out"
