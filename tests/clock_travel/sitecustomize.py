"""Puts a process the tests start on the test clock (see ``tests/clocks.py``).

Python imports ``sitecustomize`` at start-up from its path; ``clocks.process_env``
puts this folder there and ``MOTCUA_TEST_CLOCK_OFFSET`` (seconds) in the environment,
so the whole process, its forked workers included, reads wall-clock time shifted by
that offset, ticking normally. Monotonic clocks and sleeps are left alone.
"""

import os
import time

_offset = os.environ.get("MOTCUA_TEST_CLOCK_OFFSET")
if _offset:
    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
    time.time()  # a ticking traveller starts to tick at its first read, so read it now
