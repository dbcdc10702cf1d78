#!/usr/bin/python3
"""PyTorch side of tests/torch-spec.test.mjs and tests/ddp.test.mjs (Debian's
/usr/bin/python3): the modules tools/spec_module.py builds from rnn-wasm specs.

    spec_parity.py DIR
        DIR/cases.json: {"cases": [{"name", "spec"}], "checks": [spec, ...]}.
        For each case, with the inputs DIR/<name>.input.safetensors (x: F32
        features or I32 ids; lengths: I32, optional):
          - the module gets rnn-wasm's weights, DIR/<name>.js.safetensors, with
            load_state_dict(strict=True) and runs x in eval mode: DIR/<name>.torch.safetensors
            (output, and hN / cN for a recurrent layer, context for a CausalConv1d,
            a Sequential's final states as state.<i>.hN / cN / context; with x2
            in the inputs, a second chunk x2 started from those states, its
            results as chunk2.output, chunk2.state....), and the gradients of
            sum(output * dOutput) (dOutput from the inputs file): DIR/<name>.torch-grads.safetensors;
          - a second module keeps torch's own initial weights (seed 7), written to
            DIR/<name>.torch-weights.safetensors, and its outputs to
            DIR/<name>.torch-own.safetensors, for rnn-wasm to load and run.
        Each of "checks" is only built: accepted, refused (SpecError) or a crash
        (any other exception).
        Prints JSON {"cases": {name: {"keys": [[name, shape], ...]}},
                     "checks": [{"status": "accepted" | "refused" | "crash", "message"?}, ...]}.
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tools'))

from export_safetensors import export_safetensors  # noqa: E402
from load_safetensors import load_into, load_safetensors  # noqa: E402
from spec_module import SpecError, build_module, run  # noqa: E402

torch.set_num_threads(1)


def inputs(path):
    t = load_safetensors(path)
    x = t['x']
    x = x.long() if x.dtype == torch.int32 else x
    x2 = t.get('x2')
    x2 = x2.long() if x2 is not None and x2.dtype == torch.int32 else x2
    return x, (t['lengths'].long() if 'lengths' in t else None), x2


def outputs(module, x, lengths, path, x2=None):
    module.eval()
    with torch.no_grad():
        res = run(module, x, lengths)
        if x2 is not None:   # the carried state into the next chunk: a Sequential's, or a lone conv's context
            state = {'context': res['context']} if 'context' in res else module.state
            res.update({f'chunk2.{k}': v for k, v in run(module, x2, lengths, state).items()})
    export_safetensors({k: v.contiguous() for k, v in res.items()}, path)


def gradients(module, x, lengths, d_output, path):
    """d sum(output * d_output) / d every parameter, in eval mode (no dropout)."""
    module.eval()
    module.zero_grad(set_to_none=False)
    if any(True for _ in module.parameters()):   # a Dropout alone has none
        (run(module, x, lengths)['output'] * d_output).sum().backward()
    export_safetensors({k: (p.grad if p.grad is not None else torch.zeros_like(p)).contiguous()
                        for k, p in module.named_parameters()}, path)


def main(d):
    with open(os.path.join(d, 'cases.json'), encoding='utf-8') as f:
        manifest = json.load(f)
    report = {'cases': {}, 'checks': []}
    for case in manifest['cases']:
        name, spec = case['name'], case['spec']
        x, lengths, x2 = inputs(os.path.join(d, f'{name}.input.safetensors'))
        model = build_module(spec)
        load_into(model, os.path.join(d, f'{name}.js.safetensors'))
        outputs(model, x, lengths, os.path.join(d, f'{name}.torch.safetensors'), x2)
        d_output = load_safetensors(os.path.join(d, f'{name}.input.safetensors'))['dOutput']
        gradients(model, x, lengths, d_output, os.path.join(d, f'{name}.torch-grads.safetensors'))
        torch.manual_seed(7)
        own = build_module(spec)
        export_safetensors(own, os.path.join(d, f'{name}.torch-weights.safetensors'))
        outputs(own, x, lengths, os.path.join(d, f'{name}.torch-own.safetensors'), x2)
        report['cases'][name] = {'keys': [[k, list(v.shape)] for k, v in model.state_dict().items()]}
    for spec in manifest.get('checks', []):
        try:
            build_module(spec)
            report['checks'].append({'status': 'accepted'})
        except SpecError as e:
            report['checks'].append({'status': 'refused', 'message': str(e)})
        except Exception as e:  # noqa: BLE001 - anything but SpecError is a bug in spec_module.py
            report['checks'].append({'status': 'crash', 'message': f'{type(e).__name__}: {e}'})
    print(json.dumps(report))


if __name__ == '__main__':
    main(sys.argv[1])
