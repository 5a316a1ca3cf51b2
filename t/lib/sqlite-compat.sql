-- The SQLite functions the tests' own SQL uses (unixepoch, printf,
-- group_concat, instr, randomblob, zeroblob, hex, strftime), for the
-- throwaway PostgreSQL clusters of QUILL_TEST_DB=postgresql:
-- t/lib/QuillTest.pm puts them in template1, so every test database has
-- them.  The programs never use them.
CREATE FUNCTION unixepoch() RETURNS bigint LANGUAGE sql
    RETURN extract(epoch FROM now())::bigint;
CREATE FUNCTION instr(haystack text, needle text) RETURNS int
    LANGUAGE sql IMMUTABLE RETURN strpos(haystack, needle);
CREATE FUNCTION randomblob(n int) RETURNS bytea LANGUAGE sql
    RETURN (SELECT decode(string_agg(lpad(to_hex((random() * 255)::int), 2,
	'0'), ''), 'hex') FROM generate_series(1, n));
CREATE FUNCTION zeroblob(n int) RETURNS bytea LANGUAGE sql IMMUTABLE
    RETURN decode(repeat('00', n), 'hex');
CREATE FUNCTION group_concat_step(acc text, v text) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v
	ELSE acc || ',' || v END;
CREATE AGGREGATE group_concat(text) (SFUNC = group_concat_step, STYPE = text);
-- printf's %d, %0Nd, %Nd, %s and %.Nc (the character N times), and %%.
CREATE FUNCTION printf(fmt text, VARIADIC args anycompatiblearray)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	out text := '';
	m text[];
	i int := 1;
	v text;
BEGIN
	LOOP
		m := regexp_match(fmt, '^([^%]*)%(0?)([0-9]*)(\.[0-9]+)?([dsc%])(.*)$');
		IF m IS NULL THEN
			RETURN out || fmt;
		END IF;
		out := out || m[1];
		IF m[5] = '%' THEN
			out := out || '%';
		ELSE
			v := args[i]::text;
			i := i + 1;
			IF m[5] = 'c' THEN
				v := repeat(left(v, 1), coalesce(substr(m[4], 2)::int, 1));
			END IF;
			IF m[3] <> '' THEN
				v := lpad(v, m[3]::int, CASE WHEN m[2] = '0' THEN '0' ELSE ' ' END);
			END IF;
			out := out || v;
		END IF;
		fmt := m[6];
	END LOOP;
END $$;
CREATE FUNCTION hex(b bytea) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN upper(encode(b, 'hex'));
CREATE FUNCTION hex(t text) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN upper(encode(convert_to(t, 'UTF8'), 'hex'));
-- strftime('%s', 'now') only: the time in seconds.
CREATE FUNCTION strftime(fmt text, t text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	IF fmt <> '%s' OR t <> 'now' THEN
		RAISE EXCEPTION 'strftime(%, %): only strftime(''%%s'', ''now'')', fmt, t;
	END IF;
	RETURN extract(epoch FROM now())::bigint;
END $$;
