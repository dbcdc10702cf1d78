#!/usr/bin/python3
"""torchrun (torch.distributed.run), usable with Debian 12's PyTorch.

Debian 12 ships torch 1.13 with Python 3.11, where plain `torchrun` dies at
start with "AttributeError: 'NoneType' object has no attribute 'get'": its
--redirects / --tee parser looks the value up by iterating the Std IntFlag,
and Python 3.11 no longer yields a flag's zero member (NONE) or multi-bit
members (ALL) when iterating, so the default '0' parses to None (known since
torch 1.13 met Python 3.11, e.g. meta-llama/llama#86; torch 2.x supports 3.11).
This launcher parses those values with Std(int) and then runs torchrun's own
main with the same arguments; where the parser works it changes nothing.

    /usr/bin/python3 tools/torchrun.py --standalone --nproc_per_node=2 tools/train_ddp.py --out run/
"""
import re
import sys

from torch.distributed.elastic.multiprocessing.api import Std
from torch.distributed.run import main

_FLAG = r'[0-3]'


def _std_from_str(cls, vm):
    """'3' -> Std.ALL; '0:3,1:0' -> {0: Std.ALL, 1: Std.NONE}, as torchrun documents."""
    if re.fullmatch(_FLAG, vm):
        return cls(int(vm))
    if re.fullmatch(rf'(\d+:{_FLAG},)*\d+:{_FLAG}', vm):
        return {int(rank): cls(int(v)) for rank, v in (kv.split(':') for kv in vm.split(','))}
    raise ValueError(f'{vm!r} does not match {_FLAG} or a mapping like 0:3,1:0')


if Std.from_str('0') is None:
    Std.from_str = classmethod(_std_from_str)

if __name__ == '__main__':
    sys.exit(main())
