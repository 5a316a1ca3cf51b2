/*
 * setup: the first-run setup page of the shared-hosting bundle
 * (quillctl setup-serve), for hosts where the account has FTP and no
 * shell.  docs/deploy-shared-hosting.md describes it.
 */
#ifndef QUILL_SETUP_H
#define QUILL_SETUP_H

/*
 * Serves one program's requests (CGI or FastCGI, as started) while the
 * site is not set up: with the database in place already, removes
 * code_file and becomes program (execv).  Otherwise every page is the
 * setup form and every API path a 503.  The form asks for the code in
 * code_file (written there, mode 0600, when the file is empty), the
 * site's address and the first administrator; a right code writes
 * QUILL_PUBLIC_ORIGIN into the settings file, runs `self init` and
 * `self user add EMAIL --role admin`, removes code_file and ends the
 * process.  Returns only on a failure to start, having said why.
 */
int setup_serve(const char *self, const char *program, const char *code_file);

#endif
