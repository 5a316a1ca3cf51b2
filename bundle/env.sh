# Sourced by the bundle's wrappers (cgi/*.fcgi and quill/quillctl) with
# $here set to the bundle's private directory (quill/ beside the pages):
# QUILL_CONFIG is its quill.conf, and the places a bundle keeps its files
# are the defaults of the settings that file does not name.  Settings in
# quill.conf win; nothing else needs editing after an upload.
conf=$here/quill.conf
export QUILL_CONFIG="$conf"
# bundle_default NAME VALUE: NAME=VALUE unless quill.conf sets NAME.
bundle_default() {
	grep -q "^[[:space:]]*$1[[:space:]]*=" "$conf" 2>/dev/null ||
	    export "$1=$2"
}
bundle_default QUILL_DB "$here/state/quill.db"
bundle_default QUILL_KEY_FILE "$here/state/quill.key"
bundle_default QUILL_PASSWORD_BLOCKLIST "$here/common-passwords.txt"
bundle_default QUILL_MAIL_SPOOL "$here/state/mail"
# The programs' log lines, which the account can read (the host's error
# log may be out of its reach).
bundle_default QUILL_LOG_FILE "$here/state/quill.log"
