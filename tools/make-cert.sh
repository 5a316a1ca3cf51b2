#!/bin/sh
# Makes a self-signed certificate for 127.0.0.1 and localhost, for local
# HTTPS tests (`make cert`, and the TLS test when it finds none).  Keeps an
# existing one that is still valid for a day.
#   tools/make-cert.sh DIR   ->   DIR/localhost.crt, DIR/localhost.key (0600)
set -eu

dir=$1
crt=$dir/localhost.crt
key=$dir/localhost.key
if [ -f "$crt" ] && [ -f "$key" ] &&
    openssl x509 -checkend 86400 -noout -in "$crt" > /dev/null 2>&1; then
	echo "certificate $crt kept"
	exit 0
fi
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -sha256 \
    -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -keyout "$key.tmp" -out "$crt.tmp" > /dev/null 2>&1 || {
	rm -f "$key.tmp" "$crt.tmp"
	echo "make-cert.sh: openssl could not make a certificate" >&2
	exit 1
}
chmod 0644 "$crt.tmp"
mv "$key.tmp" "$key"
mv "$crt.tmp" "$crt"
echo "certificate $crt made (self-signed, for 127.0.0.1 and localhost)"
