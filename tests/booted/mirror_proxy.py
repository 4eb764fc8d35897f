"""A way to Debian's mirror for one booted host, whose own network reaches nothing: a
forwarding HTTP proxy that listens in the host's network namespace and fetches with this
machine's network. apt in the host uses it through Acquire::http::Proxy. GET and HEAD only,
and only to the mirror's own host; anything else gets 403.

What apt downloads stays between runs in a cache folder bound at the host's
/var/cache/apt/archives (MirrorProxy.ARCHIVES), the way the base trees are cached."""
import http.client
import http.server
import os
import threading
import urllib.parse

from tests.booted.booted_host import CACHE

# Headers passed on in each direction; the rest (hop-by-hop ones above all) are not.
REQUEST_HEADERS = ("Range", "If-Range", "If-Modified-Since", "If-None-Match", "Cache-Control", "User-Agent")
ANSWER_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Last-Modified", "ETag", "Accept-Ranges",
                  "Location")


class MirrorProxy:
    ARCHIVES = os.path.join(CACHE, "apt-archives")

    def __init__(self, host, mirror):
        # apt sends plain-HTTP requests through a proxy; an https:// mirror would be a CONNECT
        # tunnel, which this proxy does not serve.
        if urllib.parse.urlsplit(mirror).scheme != "http":
            raise AssertionError(f"the mirror proxy serves an http:// mirror, and this machine's apt uses {mirror}")
        self.mirror_host = urllib.parse.urlsplit(mirror).hostname
        self.requests = 0
        self.bytes = 0
        self.lock = threading.Lock()
        proxy = self

        class Forward(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # apt keeps its connection to the proxy

            def do_GET(self):
                proxy.forward(self, "GET")

            def do_HEAD(self):
                proxy.forward(self, "HEAD")

            def log_message(self, *args):
                pass

        # The listener is made in the host's network namespace; the threads that serve it, and
        # their connections to the mirror, run in this machine's.
        self.server = host.in_network(lambda: http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def apt_conf(self):
        """The host's /etc/apt/apt.conf.d snippet: the proxy for the mirror, none for the
        project's repository on the host's own loopback."""
        return (f'Acquire::http::Proxy "http://127.0.0.1:{self.port}/";\n'
                'Acquire::http::Proxy::127.0.0.1 "DIRECT";\n')

    def forward(self, request, method):
        target = urllib.parse.urlsplit(request.path)
        if target.scheme != "http" or target.hostname != self.mirror_host:
            request.send_error(403, f"this proxy reaches {self.mirror_host} only")
            return
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
        try:
            path = target.path + (f"?{target.query}" if target.query else "")
            upstream.request(method, path, headers={h: request.headers[h] for h in REQUEST_HEADERS
                                                    if h in request.headers})
            answer = upstream.getresponse()
            body = answer.read()  # whole: its Content-Length is then known, whatever the mirror sent
            request.send_response(answer.status, answer.reason)
            for name in ANSWER_HEADERS:
                if name != "Content-Length" and answer.getheader(name):
                    request.send_header(name, answer.getheader(name))
            length = answer.getheader("Content-Length", "0") if method == "HEAD" else str(len(body))
            request.send_header("Content-Length", length)
            request.end_headers()
            if method == "GET":
                request.wfile.write(body)
            with self.lock:
                self.requests += 1
                self.bytes += len(body)
        except OSError as e:
            request.send_error(502, f"the mirror did not answer: {e}")
        finally:
            upstream.close()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
