// The TOTP code (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) of the
// base32 secret in the variable confirmSecret, into the variable
// confirmCode: what an authenticator app would show now (CryptoJS is
// a global of Postman's sandbox).
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const secret = String(pm.variables.get('confirmSecret')).replace(/=+$/, '').toUpperCase();
let bits = '';
for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
let key = '';
for (let i = 0; i + 8 <= bits.length; i += 8)
  key += parseInt(bits.slice(i, i + 8), 2).toString(16).padStart(2, '0');
const step = Math.floor(Date.now() / 30000).toString(16).padStart(16, '0');
const mac = CryptoJS.HmacSHA1(CryptoJS.enc.Hex.parse(step), CryptoJS.enc.Hex.parse(key)).toString();
const off = parseInt(mac.slice(-1), 16);
const code = (parseInt(mac.slice(off * 2, off * 2 + 8), 16) & 0x7fffffff) % 1000000;
pm.variables.set('confirmCode', String(code).padStart(6, '0'));
