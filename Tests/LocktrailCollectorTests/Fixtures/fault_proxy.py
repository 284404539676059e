"""A fault-injecting HTTP proxy for the collector tests.

Forwards every request to the AWS emulator, except that while the control file says
`throttle N` it answers the next N DynamoDB Scan requests with 400 ThrottlingException, and
while it says `down` it answers every Scan that way. While it says `expire N` or `trim N` it
answers the next N DynamoDB Streams GetRecords with ExpiredIteratorException or
TrimmedDataAccessException. Counts faulty answers in the control file's `.count` sibling. While
it says `hold`, Scan requests wait (each one counted in the `.held` sibling) until it says
something else, then go through. While it says `deny-after N` it lets N more Scan requests
through and answers every later one with 400 AccessDeniedException (not retried). Usage: fault_proxy.py PORT UPSTREAM CONTROL_FILE
"""
import http.client
import http.server
import sys
import threading
import time
import urllib.parse

port, upstream, control = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]
lock = threading.Lock()


def mode_is(word):
    try:
        return open(control).read().split()[:1] == [word]
    except FileNotFoundError:
        return False


def hold_while_held():
    if not mode_is("hold"):
        return
    with lock:
        try:
            n = int(open(control + ".held").read() or 0)
        except FileNotFoundError:
            n = 0
        open(control + ".held", "w").write(str(n + 1))
    while mode_is("hold"):
        time.sleep(0.05)


def stream_fault():
    """The exception for this GetRecords, or None."""
    with lock:
        try:
            mode = open(control).read().split()
        except FileNotFoundError:
            return None
        if len(mode) != 2 or mode[0] not in ("expire", "trim") or int(mode[1]) <= 0:
            return None
        open(control, "w").write(f"{mode[0]} {int(mode[1]) - 1}")
        try:
            n = int(open(control + ".count").read() or 0)
        except FileNotFoundError:
            n = 0
        open(control + ".count", "w").write(str(n + 1))
        return "ExpiredIteratorException" if mode[0] == "expire" else "TrimmedDataAccessException"


def should_throttle():
    with lock:
        try:
            mode = open(control).read().split()
        except FileNotFoundError:
            return False
        if not mode:
            return False
        if mode[0] == "down":
            hit = True
        elif mode[0] == "throttle" and int(mode[1]) > 0:
            open(control, "w").write(f"throttle {int(mode[1]) - 1}")
            hit = True
        else:
            hit = False
        if hit:
            try:
                n = int(open(control + ".count").read() or 0)
            except FileNotFoundError:
                n = 0
            open(control + ".count", "w").write(str(n + 1))
        return hit


def scan_denied():
    with lock:
        try:
            mode = open(control).read().split()
        except FileNotFoundError:
            return False
        if len(mode) != 2 or mode[0] != "deny-after":
            return False
        if int(mode[1]) > 0:
            open(control, "w").write(f"deny-after {int(mode[1]) - 1}")
            return False
        return True


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer_error(self, name, message):
        payload = ('{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"%s"}' % (name, message)).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        target = self.headers.get("X-Amz-Target") or ""
        if "DynamoDB_20120810.Scan" in target:
            hold_while_held()
            if scan_denied():
                return self.answer_error("AccessDeniedException", "injected by the test proxy")
            if should_throttle():
                return self.answer_error("ThrottlingException", "Rate of requests exceeds the allowed throughput.")
        fault = stream_fault() if "DynamoDBStreams_20120810.GetRecords" in target else None
        if fault:
            return self.answer_error(fault, "injected by the test proxy")
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = self.headers.get("Host", "")
        conn.request(self.command, self.path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status)
        for k, v in response.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
