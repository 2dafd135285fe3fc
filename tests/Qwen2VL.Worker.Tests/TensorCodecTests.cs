using Google.Protobuf;
using Qwen2VL.Worker.V1;
using Qwen2VL.Worker.Wire;
using static TorchSharp.torch;

namespace Qwen2VL.Worker.Tests;

public sealed class TensorCodecTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 4)]
    [InlineData(ScalarType.BFloat16, 2)]
    [InlineData(ScalarType.Int64, 8)]
    public void RoundTrip_EachWireDtype_KeepsDtypeShapeAndBits(ScalarType dtype, int elementSize)
    {
        using var original = (randn(3, 5) * 100).to(dtype);

        var proto = TensorCodec.ToProto(original);
        using var back = TensorCodec.ToTensor(proto, CPU);

        Assert.Equal(new long[] { 3, 5 }, proto.Shape);
        Assert.Equal(15 * elementSize, proto.Data.Length);
        Assert.Equal(dtype, back.dtype);
        Assert.True(original.bytes.SequenceEqual(back.bytes), "the bytes changed on the way");
    }

    [Fact]
    public void ToProto_NonContiguousView_SendsTheViewsValuesInOrder()
    {
        using var matrix = arange(6, ScalarType.Float32).reshape(2, 3);
        using var transposed = matrix.t();

        using var back = TensorCodec.ToTensor(TensorCodec.ToProto(transposed), CPU);

        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, back.data<float>().ToArray());
    }

    [Fact]
    public void ToTensor_BytesDoNotFitShape_ThrowsWithBothSizes()
    {
        var proto = new TensorProto { Dtype = DType.Bfloat16, Data = ByteString.CopyFrom(new byte[10]) };
        proto.Shape.AddRange(new long[] { 2, 3 });

        var error = Assert.Throws<InvalidDataException>(() => TensorCodec.ToTensor(proto, CPU));

        Assert.Contains("needs 12 bytes, the message holds 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToTensor_UnspecifiedDtype_IsRefused()
    {
        var proto = new TensorProto { Data = ByteString.CopyFrom(new byte[4]) };
        proto.Shape.Add(1);

        Assert.Throws<InvalidDataException>(() => TensorCodec.ToTensor(proto, CPU));
    }
}
