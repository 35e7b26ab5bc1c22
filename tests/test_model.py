import pytest
import torch

from ffbp.model import MLP


def test_mlp_shapes_and_head():
    model = MLP(784, [50, 40], output_size=10)
    inputs = torch.randn(8, 784)
    activities = model.hidden_activities(inputs)
    assert [a.shape for a in activities] == [(8, 50), (8, 40)]
    assert all((a >= 0).all() for a in activities)  # ReLU
    assert model(inputs).shape == (8, 10)
    assert model.hidden_sizes == [50, 40]


def test_mlp_without_head_refuses_forward():
    model = MLP(784, [20], output_size=None)
    assert model.head is None
    with pytest.raises(RuntimeError, match="without an output head"):
        model(torch.randn(2, 784))


def test_hinton_initialisation_scales_with_fan_in():
    torch.manual_seed(0)
    model = MLP(1000, [2000], init="normal_fan_in")
    layer = model.hidden_layers[0]
    assert abs(layer.weight.std().item() - 1000**-0.5) < 1e-3
    assert torch.count_nonzero(layer.bias) == 0


def test_detached_layer_inputs_cut_the_graph_between_layers():
    model = MLP(30, [20, 20, 20])
    activities = model.hidden_activities(torch.randn(4, 30), detach_layer_inputs=True)
    for upper in range(1, 3):
        for lower in range(upper):
            gradients = torch.autograd.grad(
                activities[upper].sum(),
                list(model.hidden_layers[lower].parameters()),
                allow_unused=True,
            )
            assert all(g is None for g in gradients)
    attached = model.hidden_activities(torch.randn(4, 30))
    gradient = torch.autograd.grad(attached[2].sum(), model.hidden_layers[0].weight)[0]
    assert gradient.abs().sum() > 0
