<?php
// The PHP-FPM + PDO peer of `make bench`: Quill's four reads as a careful
// PHP developer would write them, on Quill's own database, to measure Quill
// against what its users would otherwise run.  Not part of Quill.
//
//   GET /bench/php/api/v1/posts/{id}       a post (published, or 404)
//   GET /bench/php/api/v1/users/me         the Bearer token's user
//   GET /bench/php/api/v1/posts?limit=N    a page of published posts
//   GET /bench/php/api/v1/posts?q=words    a search, ranked
//
// Each checks what Quill checks: the HS256 token (length, shape, header,
// HMAC compared with hash_equals, exp, nbf, iss, aud, typ and the identity
// claims), then the session and token version in the database; the same
// list bounds and cursor; the same search bounds.  Answers carry the same
// JSON and the same security headers.  Prepared statements on a persistent
// PDO handle; opcache is on in the pool (bench/bench.pl writes it).  The
// pool's environment gives QUILL_DB, QUILL_KEY (the signing key, hex),
// QUILL_ISSUER and QUILL_AUDIENCE.
declare(strict_types=1);

const PREFIX = '/bench/php';
const MAX_TOKEN = 4096;
const ROLES = ['user', 'moderator', 'admin'];
const INT_LIMIT = 9007199254740992;  // 2^53: what survives a JSON number

function request_id(): string
{
    static $id = null;
    return $id ??= bin2hex(random_bytes(6)) . '-' . bin2hex(random_bytes(3));
}

function send(int $status, array $doc, array $headers = []): void
{
    $doc['meta'] = ($doc['meta'] ?? []) + ['requestId' => request_id()];
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    header('Cache-Control: ' . ($headers['Cache-Control'] ?? 'no-store'));
    unset($headers['Cache-Control']);
    header("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'");
    header('X-Content-Type-Options: nosniff');
    header('X-Frame-Options: DENY');
    header('Referrer-Policy: same-origin');
    header('Permissions-Policy: accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()');
    header('Cross-Origin-Opener-Policy: same-origin');
    header('Cross-Origin-Resource-Policy: same-origin');
    header('X-Request-Id: ' . request_id());
    foreach ($headers as $k => $v) {
        header("$k: $v");
    }
    echo json_encode($doc, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

function fail(int $status, string $code, string $message): void
{
    send($status, ['error' => ['code' => $code, 'message' => $message]]);
}

function db(): PDO
{
    return new PDO('sqlite:' . getenv('QUILL_DB'), null, null, [
        PDO::ATTR_PERSISTENT => true,
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_TIMEOUT => 5,
        PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        PDO::ATTR_STRINGIFY_FETCHES => false,
    ]);
}

function rfc3339(int $t): string
{
    return gmdate('Y-m-d\TH:i:s\Z', $t);
}

function b64url_decode(string $s): ?string
{
    if ($s === '' || strspn($s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') !== strlen($s)) {
        return null;
    }
    $d = base64_decode(strtr($s, '-_', '+/'), true);
    return $d === false ? null : $d;
}

function b64url_encode(string $s): string
{
    return rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
}

function int_claim(array $c, string $k): ?int
{
    $v = $c[$k] ?? null;
    return is_int($v) && $v > -INT_LIMIT && $v < INT_LIMIT ? $v : null;
}

// The verified claims of the request's Bearer token, or null.
function token_claims(string $tok, int $now): ?array
{
    if (strlen($tok) > MAX_TOKEN) {
        return null;
    }
    $parts = explode('.', $tok);
    if (count($parts) !== 3) {
        return null;
    }
    [$h64, $p64, $s64] = $parts;
    $head = b64url_decode($h64);
    $head = $head === null ? null : json_decode($head, true);
    if (!is_array($head) || ($head['alg'] ?? null) !== 'HS256'
        || (isset($head['typ']) && $head['typ'] !== 'JWT') || isset($head['crit'])) {
        return null;
    }
    $sig = b64url_decode($s64);
    $key = hex2bin(getenv('QUILL_KEY'));
    if ($sig === null || strlen($key) < 32
        || !hash_equals(hash_hmac('sha256', "$h64.$p64", $key, true), $sig)) {
        return null;
    }
    $c = b64url_decode($p64);
    $c = $c === null ? null : json_decode($c, true);
    if (!is_array($c)) {
        return null;
    }
    $exp = int_claim($c, 'exp');
    if ($exp === null || $exp <= 0 || $now >= $exp) {
        return null;
    }
    if (array_key_exists('nbf', $c) && (($n = int_claim($c, 'nbf')) === null || $n > $now)) {
        return null;
    }
    $aud = $c['aud'] ?? null;
    if (($c['iss'] ?? null) !== getenv('QUILL_ISSUER')
        || !(is_string($aud) ? $aud === getenv('QUILL_AUDIENCE')
            : is_array($aud) && in_array(getenv('QUILL_AUDIENCE'), $aud, true))
        || ($c['typ'] ?? null) !== 'access') {
        return null;
    }
    $sub = int_claim($c, 'sub');
    $ver = int_claim($c, 'ver');
    $sid = int_claim($c, 'sid');
    if ($sub === null || $sub <= 0 || $ver === null || $ver < 1 || $sid === null || $sid < 1
        || int_claim($c, 'iat') === null
        || !in_array($c['role'] ?? null, ROLES, true)
        || !is_string($c['jti'] ?? null) || !preg_match('/\A[0-9a-f]{32}\z/', $c['jti'])) {
        return null;
    }
    return ['sub' => $sub, 'ver' => $ver, 'sid' => $sid];
}

// The user id of the request's Bearer token, when its session is live, the
// user enabled and the token of the user's current version; 0 without a
// token; null when one is sent but refused (answered here).
function authenticate(PDO $db, bool $required): ?int
{
    $h = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
    if ($h === '') {
        if ($required) {
            fail(401, 'unauthenticated', 'Authentication is required.');
            return null;
        }
        return 0;
    }
    $now = time();
    $c = strncasecmp($h, 'Bearer ', 7) === 0 ? token_claims(ltrim(substr($h, 7), ' '), $now) : null;
    if ($c !== null) {
        $st = $db->prepare('SELECT u.disabled, u.token_version, '
            . 's.revoked_at IS NULL AND s.expires_at > :now AND s.idle_expires_at > :now AS live '
            . 'FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :sid AND s.user_id = :sub');
        $st->execute(['now' => $now, 'sid' => $c['sid'], 'sub' => $c['sub']]);
        $s = $st->fetch();
        if ($s && !$s['disabled'] && $s['token_version'] === $c['ver'] && $s['live']) {
            return $c['sub'];
        }
    }
    fail(401, 'unauthenticated', 'The access token is invalid or has expired.');
    return null;
}

function post_view(array $p, string $text): array
{
    return ['id' => $p['id'], 'authorId' => $p['author_id'], 'title' => $p['title'],
        $text => $p[$text], 'status' => $p['status'],
        'createdAt' => rfc3339($p['created_at']), 'updatedAt' => rfc3339($p['updated_at'])];
}

function get_post(PDO $db, int $id): void
{
    $who = authenticate($db, false);
    if ($who === null) {
        return;
    }
    $st = $db->prepare('SELECT id, author_id, status, version, created_at, updated_at, title, body '
        . 'FROM posts WHERE id = ?');
    $st->execute([$id]);
    $p = $st->fetch();
    if (!$p || ($p['status'] !== 'published' && $p['author_id'] !== $who)) {
        fail(404, 'not_found', 'There is no such post.');
        return;
    }
    $etag = "\"$p[id]-$p[version]\"";
    $h = ['ETag' => $etag];
    if ($who === 0 && $p['status'] === 'published') {
        $h += ['Cache-Control' => 'no-cache', 'Vary' => 'Authorization, Cookie, Accept'];
    }
    $inm = $_SERVER['HTTP_IF_NONE_MATCH'] ?? null;
    if ($inm !== null && in_array($etag, array_map('trim', explode(',', $inm)), true)) {
        http_response_code(304);
        header("ETag: $etag");
        return;
    }
    send(200, ['data' => post_view($p, 'body')], $h);
}

function get_me(PDO $db): void
{
    $who = authenticate($db, true);
    if ($who === null) {
        return;
    }
    $st = $db->prepare('SELECT id, email, name, role, disabled, verified_at, created_at, updated_at '
        . 'FROM users WHERE id = ?');
    $st->execute([$who]);
    $u = $st->fetch();
    if (!$u) {
        fail(401, 'unauthenticated', 'The access token is invalid or has expired.');
        return;
    }
    // The new address of an email change waiting for its confirmation.
    $st = $db->prepare("SELECT email FROM email_tokens WHERE user_id = ? AND purpose = 'change' "
        . 'AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1');
    $st->execute([$who, time()]);
    $pending = $st->fetchColumn();
    $data = ['id' => $u['id'], 'name' => $u['name'], 'email' => $u['email'],
        'role' => $u['role'], 'disabled' => (bool)$u['disabled'],
        'emailVerified' => $u['verified_at'] !== null];
    if ($pending !== false) {
        $data['pendingEmail'] = $pending;
    }
    $data['createdAt'] = rfc3339($u['created_at']);
    $data['updatedAt'] = rfc3339($u['updated_at']);
    send(200, ['data' => $data]);
}

// The FTS5 query for search text, as Quill builds it: each word a phrase of
// its letters and digits (a trailing * makes it a prefix), at most 8 terms,
// 2 prefixes of 3 characters or more, 200 characters; null when refused.
function fts_query(string $q): ?string
{
    // FTS5 tokenizes each phrase itself (unicode61, case and diacritics
    // folded); the split here only counts the terms and drops punctuation.
    if (!preg_match('//u', $q) || preg_match_all('/./su', $q) > 200) {
        return null;
    }
    $phrases = [];
    $terms = 0;
    $prefixes = 0;
    foreach (preg_split('/[ \t\r\n]+/', $q, -1, PREG_SPLIT_NO_EMPTY) as $w) {
        $word = rtrim($w, '*');
        $prefix = $word !== $w;
        $t = preg_split('/[^\p{L}\p{N}]+/u', strtolower($word), -1, PREG_SPLIT_NO_EMPTY);
        if (!$t) {
            continue;
        }
        $phrase = '"' . implode(' ', $t) . '"' . ($prefix ? '*' : '');
        if (in_array($phrase, $phrases, true)) {
            continue;
        }
        $terms += count($t);
        if ($terms > 8 || ($prefix && (++$prefixes > 2 || preg_match_all('/./su', end($t)) < 3))) {
            return null;
        }
        $phrases[] = $phrase;
    }
    return $phrases ? implode(' ', $phrases) : null;
}

function list_posts(PDO $db): void
{
    if (authenticate($db, false) === null) {
        return;
    }
    $limit = $_GET['limit'] ?? '20';
    if (!ctype_digit($limit) || (int)$limit < 1 || (int)$limit > 100) {
        fail(400, 'bad_request', 'The limit must be a whole number from 1 to 100.');
        return;
    }
    $limit = (int)$limit;
    $cols = 'posts.id, author_id, status, version, created_at, updated_at, posts.title, excerpt';
    if (isset($_GET['q'])) {
        $match = fts_query($_GET['q']);
        if ($match === null) {
            fail(400, 'bad_request', 'The search (q) is not one this site accepts.');
            return;
        }
        $page = $_GET['page'] ?? '1';
        if (!ctype_digit($page) || (int)$page < 1) {
            fail(400, 'bad_request', 'The page must be a whole number from 1.');
            return;
        }
        $page = (int)$page;
        $st = $db->prepare("SELECT $cols FROM posts_fts JOIN posts ON posts.id = posts_fts.rowid "
            . "WHERE posts_fts MATCH ? AND status = 'published' "
            . 'ORDER BY posts_fts.rank, posts.id DESC LIMIT ? OFFSET ?');
        $st->execute([$match, $limit, ($page - 1) * $limit]);
        $rows = $st->fetchAll();
        if (count($rows) < $limit && ($rows || $page === 1)) {
            $total = ($page - 1) * $limit + count($rows);
        } else {
            $c = $db->prepare("SELECT count(*) FROM posts WHERE status = 'published' AND "
                . 'id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)');
            $c->execute([$match]);
            $total = (int)$c->fetchColumn();
        }
        $pages = intdiv($total + $limit - 1, $limit);
        $h = [];
        if ($page < $pages) {
            $h['Link'] = '<' . PREFIX . '/api/v1/posts?' . http_build_query(['q' => $_GET['q'],
                'limit' => $limit, 'page' => $page + 1], '', '&', PHP_QUERY_RFC3986) . '>; rel="next"';
        }
        send(200, ['data' => array_map(fn($p) => post_view($p, 'excerpt'), $rows),
            'meta' => ['page' => $page, 'perPage' => $limit, 'total' => $total,
                'totalPages' => $pages]], $h);
        return;
    }
    // Newest first, by the cursor "1|0|1|createdAt|id" (base64url).
    $after = null;
    if (isset($_GET['cursor'])) {
        $raw = b64url_decode($_GET['cursor']);
        if ($raw === null || !preg_match('/\A1\|0\|1\|(-?\d{1,19})\|(\d{1,19})\z/', $raw, $m)) {
            fail(400, 'bad_request', 'The cursor is not one this site made.');
            return;
        }
        $after = [(int)$m[1], (int)$m[2]];
    }
    $st = $after === null
        ? $db->prepare("SELECT $cols FROM posts WHERE status = 'published' "
            . 'ORDER BY created_at DESC, id DESC LIMIT ?')
        : $db->prepare("SELECT $cols FROM posts WHERE status = 'published' AND "
            . '(created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?');
    $st->execute($after === null ? [$limit + 1] : [$after[0], $after[0], $after[1], $limit + 1]);
    $rows = $st->fetchAll();
    $next = null;
    $h = [];
    if (count($rows) > $limit) {
        array_pop($rows);
        $last = end($rows);
        $next = b64url_encode("1|0|1|$last[created_at]|$last[id]");
        $h['Link'] = '<' . PREFIX . "/api/v1/posts?limit=$limit&cursor=$next>; rel=\"next\"";
    }
    send(200, ['data' => array_map(fn($p) => post_view($p, 'excerpt'), $rows),
        'meta' => ['limit' => $limit, 'nextCursor' => $next, 'hasMore' => $next !== null]], $h);
}

$path = strtok($_SERVER['REQUEST_URI'], '?');
try {
    if ($_SERVER['REQUEST_METHOD'] !== 'GET') {
        fail(405, 'method_not_allowed', 'This peer answers GET only.');
    } elseif (preg_match('#\A' . PREFIX . '/api/v1/posts/([1-9][0-9]{0,17})\z#', $path, $m)) {
        get_post(db(), (int)$m[1]);
    } elseif ($path === PREFIX . '/api/v1/users/me') {
        get_me(db());
    } elseif ($path === PREFIX . '/api/v1/posts') {
        list_posts(db());
    } else {
        fail(404, 'not_found', 'There is no such resource.');
    }
} catch (PDOException $e) {
    error_log('bench php: ' . $e->getMessage());
    fail(503, 'unavailable', 'The database is busy; try again.');
}
