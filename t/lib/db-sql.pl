# Runs SQL on the database of a test server with QuillTest::db_sql, for
# the tests that are not written in Perl (t/browser/tap.js):
#
#   perl t/lib/db-sql.pl QUILL_CONF SQL
#
# QUILL_CONF is the server's settings file, whose QUILL_DB names the
# database (an SQLite file or a PostgreSQL connection string).  Prints the
# client's output: rows as lines, columns joined by |, booleans as 1 and 0
# on either engine.  Exits non-zero, with the client's message on stderr,
# when the statement fails.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use QuillTest qw(db_sql);

die "usage: db-sql.pl QUILL_CONF SQL\n" unless @ARGV == 2;
my ($conf, $sql) = @ARGV;
my $out = eval { db_sql({ conf => $conf }, $sql) };
if (!defined $out) {
    print STDERR $@;
    exit 1;
}
print $out;
