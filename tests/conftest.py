"Test-session settings shared by every test: small thread pools (two notebooks run at once on 2 cores)."
import os
os.environ.setdefault("IN_TEST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
import torch
torch.set_num_threads(int(os.environ.get("LAF_TEST_THREADS", "1")))
