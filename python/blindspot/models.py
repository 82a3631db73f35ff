"""PyTorch networks equal to the shipped model plugins, to load an archived Model into.

The archive stores a model's weights (its state dict) but not its architecture; the
architecture follows from the node's plugin, its parameters and the weights' shapes.  Every
shipped native model is a ``torch::nn::Sequential`` of named children, and PyTorch's
``torch.nn.Sequential`` with the same names takes the archived state dict as it is.  None
scales or normalises its input: the models take float32 [N, C, H, W] images in [0, 1] (the
archive's ``original`` and ``adversarial`` arrays as they are) and the first layer flattens
them (``torch.nn.Flatten()``, dimensions 1 on) where it is a linear layer.

=============  ====================================================================
plugin         children (``[in, out]`` from the weights)
=============  ====================================================================
softmax        flatten, fc (Linear)
mlp            flatten, fc1, act1, fc2, act2, ..., fcL+1; act = the ``activation``
               parameter: Sigmoid (default), Tanh or ReLU
autoencoder    flatten, encoder (Linear), code (Sigmoid), fc (Linear); the archive also
               keeps ``decoder.weight``/``decoder.bias``, not part of the classifier
convnet        conv1, relu1, pool1, ..., convK, reluK, poolK (Conv2d with ``strides[i]``,
               ``paddings[i]``; MaxPool2d(pool, pool), absent when ``pool`` is 1), flatten,
               fc1, relu_fc1, ..., out (Linear)
alexnet        conv1..conv5 with relu1..relu5, pool1, pool2, pool5 (MaxPool2d(3, 2)),
               flatten, fc1, relu_fc1, fc2, relu_fc2, fc3
torchscript    your own file: ``torch.jit.load`` it (its state dict is archived)
=============  ====================================================================
"""

import collections

from .errors import Error

# AlexNet's conv layers as the alexnet plugin builds them: (kernel, stride, padding, pooled).
ALEXNET_CONVS = ((11, 4, 2, True), (5, 1, 2, True), (3, 1, 1, False), (3, 1, 1, False),
                 (3, 1, 1, True))


def _torch():
    try:
        import torch  # pylint: disable=import-outside-toplevel
    except ImportError as error:
        raise ImportError("blindspot.models needs PyTorch (Debian: python3-torch)") from error
    return torch


def _linear(torch, state, name):
    out_features, in_features = state[name + ".weight"].shape
    return torch.nn.Linear(in_features, out_features, bias=(name + ".bias") in state)


def _conv(torch, state, name, stride, padding):
    out_channels, in_channels, kernel_h, kernel_w = state[name + ".weight"].shape
    return torch.nn.Conv2d(in_channels, out_channels, (kernel_h, kernel_w), stride=stride,
                           padding=padding, bias=(name + ".bias") in state)


def _count(state, prefix):
    """How many of prefix1, prefix2, ... have a weight in ``state``."""
    n = 0
    while "%s%d.weight" % (prefix, n + 1) in state:
        n += 1
    return n


def _layers(torch, plugin, params, state):
    nn = torch.nn
    if plugin == "softmax":
        return [("flatten", nn.Flatten()), ("fc", _linear(torch, state, "fc"))]
    if plugin == "mlp":
        activations = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
        activation = params.get("activation", "sigmoid")
        if activation not in activations:
            raise Error("mlp activation '%s' is not one of sigmoid, tanh, relu" % activation)
        linear = _count(state, "fc")
        layers = [("flatten", nn.Flatten())]
        for i in range(1, linear + 1):
            layers.append(("fc%d" % i, _linear(torch, state, "fc%d" % i)))
            if i < linear:
                layers.append(("act%d" % i, activations[activation]()))
        return layers
    if plugin == "autoencoder":
        return [("flatten", nn.Flatten()), ("encoder", _linear(torch, state, "encoder")),
                ("code", nn.Sigmoid()), ("fc", _linear(torch, state, "fc"))]
    if plugin == "convnet":
        stages = _count(state, "conv")
        strides = params.get("strides", [1] * stages)
        paddings = params.get("paddings", [2] * stages)
        pool = int(params.get("pool", 2))
        layers = []
        for i in range(1, stages + 1):
            layers.append(("conv%d" % i, _conv(torch, state, "conv%d" % i, int(strides[i - 1]),
                                               int(paddings[i - 1]))))
            layers.append(("relu%d" % i, nn.ReLU()))
            if pool > 1:
                layers.append(("pool%d" % i, nn.MaxPool2d(pool, stride=pool)))
        layers.append(("flatten", nn.Flatten()))
        for i in range(1, _count(state, "fc") + 1):
            layers.append(("fc%d" % i, _linear(torch, state, "fc%d" % i)))
            layers.append(("relu_fc%d" % i, nn.ReLU()))
        layers.append(("out", _linear(torch, state, "out")))
        return layers
    if plugin == "alexnet":
        layers = []
        for i, (_, stride, padding, pooled) in enumerate(ALEXNET_CONVS, 1):
            layers.append(("conv%d" % i, _conv(torch, state, "conv%d" % i, stride, padding)))
            layers.append(("relu%d" % i, nn.ReLU()))
            if pooled:
                layers.append(("pool%d" % i, nn.MaxPool2d(3, stride=2)))
        layers.append(("flatten", nn.Flatten()))
        for i in (1, 2):
            layers.append(("fc%d" % i, _linear(torch, state, "fc%d" % i)))
            layers.append(("relu_fc%d" % i, nn.ReLU()))
        layers.append(("fc3", _linear(torch, state, "fc3")))
        return layers
    if plugin == "torchscript":
        raise Error("a torchscript model is your own file: torch.jit.load it (the node's "
                    "'path' parameter names it) and load_state_dict(node.state_dict())")
    raise Error("no PyTorch recipe for plugin '%s'; build the network with the archived "
                "names (node.state_dict().keys()) and load_state_dict" % plugin)


def sequential(node, port=None):
    """A ``torch.nn.Sequential`` equal to the model of ``node`` (a model node of a shipped
    plugin), its archived weights loaded (strictly: every name must match), in eval mode.

    Raises :class:`blindspot.Error` for a plugin without a recipe (``torchscript``, plugins
    of your own) or for a format-1 archive read without PyYAML (the parameters are needed)."""
    torch = _torch()
    params = node.parameters
    if not isinstance(params, dict):
        raise Error("node '%s': reading its parameters needs PyYAML (python3-yaml)" % node.name)
    state = node.state_dict(port)
    try:
        layers = _layers(torch, node.plugin, params, state)
    except KeyError as error:
        raise Error("node '%s' (%s): the archived model has no tensor %s"
                    % (node.name, node.plugin, error)) from None
    net = torch.nn.Sequential(collections.OrderedDict(layers))
    if node.plugin == "autoencoder":  # the decoder is archived but not part of the classifier
        state = collections.OrderedDict((k, v) for k, v in state.items()
                                        if not k.startswith("decoder."))
    net.load_state_dict(state)
    return net.eval()


def predict(net, images, batch=1000):
    """``argmax`` of ``net``'s logits over float32 [N, C, H, W] ``images`` (NumPy or torch),
    in batches, without gradients: int64 NumPy [N]."""
    torch = _torch()
    images = torch.as_tensor(images)
    out = []
    with torch.no_grad():
        for start in range(0, images.shape[0], batch):
            out.append(net(images[start:start + batch]).argmax(1))
    return (torch.cat(out) if out else torch.zeros(0, dtype=torch.int64)).numpy()
