/*
 * hello.fcgi: the smallest useful libfcgi program, for the benchmark's
 * baseline.  It answers every request with a fixed JSON document, so its
 * rate is the ceiling any FastCGI endpoint can reach behind the same server.
 */
#include <fcgiapp.h>

int
main(void)
{
	static const char reply[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: 26\r\n"
	    "\r\n"
	    "{\"data\":{\"hello\":\"world\"}}";
	FCGX_Request req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, (int)sizeof(reply) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
