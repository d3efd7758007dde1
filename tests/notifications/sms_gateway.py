"""A real SMS gateway stand-in on 127.0.0.1: an HTTP server that records each JSON POST and
answers with the status the test sets."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmsGateway:
    def __init__(self):
        self.received: list[dict] = []
        self.status = 202
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.received.append({"path": self.path, "headers": dict(self.headers),
                                         "json": json.loads(body)})
                answer = json.dumps({"accepted": gateway.status < 300}).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
