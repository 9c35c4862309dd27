"""The gRPC door: proto/ compiled into generated/ (codegen.py), the servicers over the REST API's answer
functions (servicers.py), partner keys from metadata (auth.py), and the server with health checking, reflection
and metrics (server.py), run by `manage.py grpcserver`."""
