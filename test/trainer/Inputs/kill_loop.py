"""kill -9 a training run at random instants, again and again, and check
after every kill that the run folder still holds a loadable checkpoint.

  kill_loop.py RESCALE_TRAIN KILLS EVAL_TOKENS MDIR -- TRAIN_ARGS...

Each round starts `RESCALE_TRAIN TRAIN_ARGS --resume` (so every round
continues the previous one), kills it with SIGKILL after a random delay (a
run that finished first ends the loop), then
runs `RESCALE_TRAIN eval --checkpoint OUT` (OUT is TRAIN_ARGS' --out), which
must succeed once a first checkpoint exists. With --save-every 1 most of a
step is the checkpoint's writes and fsyncs, so most kills land inside a
save; the count of kills that left a half-written save behind is printed.
"""
import os
import random
import signal
import subprocess
import sys
import time


def main():
    train, kills, tokens, mdir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    args = sys.argv[sys.argv.index("--") + 1:]
    out = args[args.index("--out") + 1]
    rng = random.Random(20260123)
    in_save = loadable = kills_done = 0
    for k in range(kills):
        p = subprocess.Popen([train] + args + ["--resume"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.02, 0.4))
        if p.poll() is not None:
            if p.returncode != 0:
                sys.exit("round %d: the run failed (rc %d): %s"
                         % (k, p.returncode, p.stderr.read().decode()))
            break  # a fast machine finished the run: nothing left to kill
        p.send_signal(signal.SIGKILL)
        p.wait()
        kills_done += 1
        root = os.path.join(out, "checkpoints")
        if os.path.isdir(root) and any(n.startswith(".tmp-") for n in os.listdir(root)):
            in_save += 1
        if not os.path.islink(os.path.join(out, "checkpoint")):
            continue  # killed before the first (step 0) checkpoint
        r = subprocess.run([train, "eval", "--checkpoint", out, "--tokens", tokens,
                            "--module", mdir], capture_output=True)
        if r.returncode != 0:
            sys.exit("round %d: checkpoint not loadable after kill -9: %s"
                     % (k, r.stderr.decode().strip()))
        loadable += 1
    if kills_done == 0:
        sys.exit("the run was never killed")
    print("kills: %d, loadable after: %d, killed during a save: %d" % (kills_done, loadable, in_save))


main()
