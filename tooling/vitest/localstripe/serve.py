# Runs localstripe, the Stripe-compatible test server, for the test run: on 127.0.0.1 only (its
# own command line listens on every interface) and with its objects kept in memory. Its store
# pickles every object to /tmp/localstripe.pickle on each write, which made a payment take 50 ms
# after 200 of them and 170 ms after 600 (3.5 and 9 ms without), and is one file for every run on
# the machine; nothing reads it back here.
import sys

from aiohttp import web
from localstripe import resources, server

resources.Store.dump_to_disk = lambda self: None

web.run_app(server.app, host='127.0.0.1', port=int(sys.argv[1]), print=lambda line: print(line, flush=True))
