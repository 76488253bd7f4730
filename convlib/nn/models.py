"""Classic CNN architectures as layer specs, with the parameter counts of their papers.

Each builder returns a :class:`~convlib.nn.containers.Sequential` with named stages. Parameters are
counted as PyTorch's ``sum(p.numel() for p in m.parameters())``; the architectures follow
torchvision (VGG, ResNet, ResNeXt, MobileNetV2), the common MobileNetV1 definition (batch norm
after every convolution, as in Keras) and Caffe's original two-group AlexNet.

=====================  ============  ===========  ============
model                  input         parameters   MACs
=====================  ============  ===========  ============
``alexnet()``          3 x 227 x 227 60,965,224   0.72 G
``vgg16()``            3 x 224 x 224 138,357,544  15.47 G
``resnet50()``         3 x 224 x 224 25,557,032   4.09 G
``resnext50_32x4d()``  3 x 224 x 224 25,028,904   4.23 G
``mobilenet_v1()``     3 x 224 x 224 4,231,976    0.57 G
``mobilenet_v2()``     3 x 224 x 224 3,504,872    0.30 G
``resnet50_v1()``      3 x 224 x 224 25,557,032   3.86 G
``deeplab_lite()``     3 x 224 x 224 678,901      0.79 G
=====================  ============  ===========  ============

``resnet50_v1`` is the paper's ResNet-50 (stride 2 in the first 1 x 1 convolution of a stage;
the paper quotes "3.8 x 10^9 FLOPs", multiply-adds) next to torchvision's v1.5 ``resnet50``
(stride in the 3 x 3). ``deeplab_lite`` is a small segmentation network with both dilated
(atrous) and transposed convolutions.
"""

from __future__ import annotations

from collections import OrderedDict

from convlib.nn.containers import Parallel, Residual, Sequential
from convlib.nn.layers import (
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    LocalResponseNorm,
    ReLU,
    ReLU6,
)
from convlib.nn.pooling import AdaptiveAvgPool2d, MaxPool2d

IMAGENET_SHAPE = (3, 224, 224)
ALEXNET_SHAPE = (3, 227, 227)


def _named(**layers: Layer) -> Sequential:
    return Sequential(OrderedDict(layers))


def _classifier(features: int, hidden: int, classes: int) -> Sequential:
    return Sequential(
        Dropout(), Linear(features, hidden), ReLU(True),
        Dropout(), Linear(hidden, hidden), ReLU(True),
        Linear(hidden, classes),
    )  # fmt: skip


def alexnet(groups: int = 2, num_classes: int = 1000) -> Sequential:
    """AlexNet as in Krizhevsky et al. (2012): conv2, conv4 and conv5 split over two GPUs.

    ``groups=2`` is the original network (Caffe's ``bvlc_alexnet``: 60,965,224 parameters on a
    227 x 227 input); ``groups=1`` is the same network on one device (62,378,344).
    """
    conv = Conv2d
    features = _named(
        conv1=conv(3, 96, 11, stride=4), relu1=ReLU(True), norm1=LocalResponseNorm(5),
        pool1=MaxPool2d(3, 2),
        conv2=conv(96, 256, 5, padding=2, groups=groups), relu2=ReLU(True),
        norm2=LocalResponseNorm(5), pool2=MaxPool2d(3, 2),
        conv3=conv(256, 384, 3, padding=1), relu3=ReLU(True),
        conv4=conv(384, 384, 3, padding=1, groups=groups), relu4=ReLU(True),
        conv5=conv(384, 256, 3, padding=1, groups=groups), relu5=ReLU(True),
        pool5=MaxPool2d(3, 2),
    )  # fmt: skip
    return _named(
        features=features, flatten=Flatten(), classifier=_classifier(256 * 6 * 6, 4096, num_classes)
    )


def vgg16(num_classes: int = 1000) -> Sequential:
    """VGG-16 (configuration D of Simonyan & Zisserman, 2015), as torchvision's ``vgg16``."""
    layers: list[Layer] = []
    channels = 3
    for width in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                  512, 512, 512, "M"):  # fmt: skip
        if width == "M":
            layers.append(MaxPool2d(2, 2))
        else:
            layers += [Conv2d(channels, width, 3, padding=1), ReLU(True)]
            channels = width
    return _named(
        features=Sequential(*layers),
        avgpool=AdaptiveAvgPool2d(7),
        flatten=Flatten(),
        classifier=_classifier(512 * 7 * 7, 4096, num_classes),
    )


def _conv_bn(c_in, c_out, k, stride=1, groups=1, activation: type[Layer] | None = ReLU):
    layers = OrderedDict(
        conv=Conv2d(c_in, c_out, k, stride, padding=(k - 1) // 2, groups=groups, bias=False),
        bn=BatchNorm2d(c_out),
    )
    if activation is not None:
        layers["relu"] = activation(True)
    return Sequential(layers)


def _bottleneck(c_in: int, planes: int, stride: int, groups: int, width_per_group: int,
                v1: bool = False) -> Layer:  # fmt: skip
    """ResNet bottleneck, 4x expansion: v1.5 strides the 3x3, v1 (the paper) the first 1x1;
    ResNeXt when groups > 1."""
    width = planes * width_per_group // 64 * groups
    c_out = planes * 4
    s1, s3 = (stride, 1) if v1 else (1, stride)
    body = _named(
        conv1=Conv2d(c_in, width, 1, s1, bias=False), bn1=BatchNorm2d(width), relu1=ReLU(True),
        conv2=Conv2d(width, width, 3, s3, 1, groups=groups, bias=False),
        bn2=BatchNorm2d(width), relu2=ReLU(True),
        conv3=Conv2d(width, c_out, 1, bias=False), bn3=BatchNorm2d(c_out),
    )  # fmt: skip
    shortcut = None
    if stride != 1 or c_in != c_out:
        shortcut = _named(conv=Conv2d(c_in, c_out, 1, stride, bias=False), bn=BatchNorm2d(c_out))
    return Sequential(OrderedDict(block=Residual(body, shortcut), relu=ReLU(True)))


def _resnet(blocks, groups=1, width_per_group=64, num_classes=1000, v1=False) -> Sequential:
    stages = OrderedDict(
        conv1=Conv2d(3, 64, 7, 2, 3, bias=False),
        bn1=BatchNorm2d(64),
        relu=ReLU(True),
        maxpool=MaxPool2d(3, 2, 1),
    )
    c_in = 64
    for index, (planes, count) in enumerate(zip((64, 128, 256, 512), blocks, strict=True)):
        layer = []
        for block in range(count):
            stride = 2 if block == 0 and index > 0 else 1
            layer.append(_bottleneck(c_in, planes, stride, groups, width_per_group, v1))
            c_in = planes * 4
        stages[f"layer{index + 1}"] = Sequential(*layer)
    stages.update(avgpool=AdaptiveAvgPool2d(1), flatten=Flatten(), fc=Linear(2048, num_classes))
    return Sequential(stages)


def resnet50(num_classes: int = 1000) -> Sequential:
    """ResNet-50 (He et al., 2016), torchvision's v1.5 (stride in the 3x3 convolution)."""
    return _resnet((3, 4, 6, 3), num_classes=num_classes)


def resnet50_v1(num_classes: int = 1000) -> Sequential:
    """ResNet-50 as in He et al. (2016): the stride of a stage in its first 1x1 convolution.

    The same parameters as :func:`resnet50` (v1.5); the 3x3 convolutions of each stage's first
    block then run at the lower resolution, so it costs fewer MACs (3.86 G, the paper's 3.8 G).
    """
    return _resnet((3, 4, 6, 3), num_classes=num_classes, v1=True)


def resnext50_32x4d(num_classes: int = 1000) -> Sequential:
    """ResNeXt-50 32x4d (Xie et al., 2017): cardinality 32, 4 channels per group at width 64."""
    return _resnet((3, 4, 6, 3), groups=32, width_per_group=4, num_classes=num_classes)


def mobilenet_v1(num_classes: int = 1000) -> Sequential:
    """MobileNetV1 1.0-224 (Howard et al., 2017): depthwise separable blocks, BN after each conv."""
    stages = OrderedDict(stem=_conv_bn(3, 32, 3, 2))
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5
    plan += [(1024, 2), (1024, 1)]
    c_in = 32
    for index, (c_out, stride) in enumerate(plan, start=1):
        stages[f"block{index}"] = _named(
            depthwise=_conv_bn(c_in, c_in, 3, stride, groups=c_in),
            pointwise=_conv_bn(c_in, c_out, 1),
        )
        c_in = c_out
    stages.update(avgpool=AdaptiveAvgPool2d(1), flatten=Flatten(), fc=Linear(1024, num_classes))
    return Sequential(stages)


def _inverted_residual(c_in: int, c_out: int, stride: int, expansion: int) -> Layer:
    hidden = c_in * expansion
    layers = OrderedDict()
    if expansion != 1:
        layers["expand"] = _conv_bn(c_in, hidden, 1, activation=ReLU6)
    layers["depthwise"] = _conv_bn(hidden, hidden, 3, stride, groups=hidden, activation=ReLU6)
    layers["project"] = _conv_bn(hidden, c_out, 1, activation=None)
    body = Sequential(layers)
    return Residual(body) if stride == 1 and c_in == c_out else body


def mobilenet_v2(num_classes: int = 1000) -> Sequential:
    """MobileNetV2 1.0-224 (Sandler et al., 2018), as torchvision's ``mobilenet_v2``."""
    stages = OrderedDict(stem=_conv_bn(3, 32, 3, 2, activation=ReLU6))
    c_in = 32
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]  # fmt: skip
    index = 1
    for expansion, c_out, count, first_stride in settings:
        for repeat in range(count):
            stride = first_stride if repeat == 0 else 1
            stages[f"block{index}"] = _inverted_residual(c_in, c_out, stride, expansion)
            c_in, index = c_out, index + 1
    stages["head"] = _conv_bn(c_in, 1280, 1, activation=ReLU6)
    stages.update(
        avgpool=AdaptiveAvgPool2d(1), flatten=Flatten(), dropout=Dropout(0.2),
        fc=Linear(1280, num_classes),
    )  # fmt: skip
    return Sequential(stages)


def deeplab_lite(num_classes: int = 21, rates: tuple[int, ...] = (6, 12, 18)) -> Sequential:
    """A small segmentation network in the style of DeepLabv3: dilated and transposed convolutions.

    An encoder of three stride-2 convolutions (output stride 8), DeepLabv3's atrous spatial
    pyramid :cite:p:`chen2017rethinking` (a 1x1 branch and 3x3 branches at rates 6, 12, 18,
    concatenated and projected by a 1x1 convolution), and a decoder of three stride-2 transposed
    convolutions (kernel 4, padding 1) back to the input size, one score per class and pixel
    (21: PASCAL VOC's classes).

    Notes
    -----
    It departs from DeepLabv3 in three ways: v3 uses rates 6, 12, 18 at output stride 16 and
    doubles them at output stride 8, adds an image-level branch (global average pooling), and
    upsamples its scores bilinearly instead of by transposed convolutions. DeepLab v2's pyramid
    :cite:p:`chen2018deeplab` differs again: four 3x3 branches at rates 6, 12, 18, 24, no 1x1
    branch, their scores summed.
    """
    encoder = _named(
        conv1=_conv_bn(3, 32, 3, 2), conv2=_conv_bn(32, 64, 3, 2), conv3=_conv_bn(64, 128, 3, 2),
        conv4=_conv_bn(128, 128, 3),
    )  # fmt: skip
    branches = OrderedDict(rate1=_conv_bn(128, 64, 1))
    for rate in rates:
        branches[f"rate{rate}"] = _named(
            conv=Conv2d(128, 64, 3, padding=rate, dilation=rate, bias=False),
            bn=BatchNorm2d(64), relu=ReLU(True),
        )  # fmt: skip
    aspp = _named(branches=Parallel(branches), project=_conv_bn(64 * (len(rates) + 1), 128, 1))
    decoder = _named(
        up1=_named(conv=ConvTranspose2d(128, 64, 4, 2, 1, bias=False), bn=BatchNorm2d(64),
                   relu=ReLU(True)),
        up2=_named(conv=ConvTranspose2d(64, 32, 4, 2, 1, bias=False), bn=BatchNorm2d(32),
                   relu=ReLU(True)),
        classifier=ConvTranspose2d(32, num_classes, 4, 2, 1),
    )  # fmt: skip
    return _named(encoder=encoder, aspp=aspp, decoder=decoder)


MODELS = {
    "alexnet": (alexnet, ALEXNET_SHAPE),
    "vgg16": (vgg16, IMAGENET_SHAPE),
    "resnet50": (resnet50, IMAGENET_SHAPE),
    "resnext50_32x4d": (resnext50_32x4d, IMAGENET_SHAPE),
    "mobilenet_v1": (mobilenet_v1, IMAGENET_SHAPE),
    "mobilenet_v2": (mobilenet_v2, IMAGENET_SHAPE),
    "resnet50_v1": (resnet50_v1, IMAGENET_SHAPE),
    "deeplab_lite": (deeplab_lite, IMAGENET_SHAPE),
}
"""Name -> (builder, the input shape its published figures assume)."""
