using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Worker.V1;
using static TorchSharp.torch;

namespace Qwen2VL.Worker.Wire;

/// <summary>Pipeline steps and stage errors to and from Forward messages.</summary>
public static class StepCodec
{
    /// <summary>Encodes a step; <paramref name="releaseKeys"/> replaces the step's own (a fresh stream drops stale ones).</summary>
    public static ForwardRequest ToRequest(PipelineStep step, long number, IEnumerable<string> releaseKeys, TraceContext? trace)
    {
        ArgumentNullException.ThrowIfNull(step);
        var request = new ForwardRequest
        {
            Step = number,
            Hidden = TensorCodec.ToProto(step.Hidden),
            PositionIds = TensorCodec.ToProto(step.PositionIds),
            Trace = trace,
        };
        foreach (var segment in step.Segments)
        {
            request.Segments.Add(new SegmentHeader { SequenceKey = segment.CacheKey, CachedTokens = segment.CachedTokens, NewTokens = segment.NewTokens });
        }

        request.LogitRows.AddRange(step.LogitRows);
        request.ReleaseKeys.AddRange(releaseKeys);
        return request;
    }

    /// <summary>
    /// Decodes a request that carries segments. The step's tensors are new and owned by the caller. Throws
    /// <see cref="PipelineStageException"/> (invalid step) naming <paramref name="stage"/> when the message is malformed.
    /// </summary>
    public static PipelineStep ToStep(ForwardRequest request, Device device, string stage)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Hidden is null || request.PositionIds is null)
        {
            throw new PipelineStageException(PipelineErrorCode.InvalidStep, stage, $"step {request.Step} has {request.Segments.Count} segments but no hidden states or positions");
        }

        Tensor? hidden = null;
        try
        {
            hidden = TensorCodec.ToTensor(request.Hidden, device);
            var positions = TensorCodec.ToTensor(request.PositionIds, device);
            return new PipelineStep
            {
                Segments = request.Segments.Select(s => new PipelineSegment(s.SequenceKey, s.CachedTokens, s.NewTokens)).ToList(),
                Hidden = hidden,
                PositionIds = positions,
                LogitRows = request.LogitRows.ToList(),
                ReleaseKeys = request.ReleaseKeys.ToList(),
            };
        }
        catch (InvalidDataException e)
        {
            hidden?.Dispose();
            throw new PipelineStageException(PipelineErrorCode.InvalidStep, stage, $"step {request.Step}: {e.Message}", e);
        }
    }

    /// <summary>Encodes a stage error for the stage before.</summary>
    public static StageError ToProto(PipelineStageException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new StageError { Code = (StageErrorCode)(int)error.ErrorCode, Message = error.Detail, Stage = error.Stage };
    }

    /// <summary>Decodes a stage error; an unknown code reads as an internal failure of <paramref name="fallbackStage"/>.</summary>
    public static PipelineStageException ToException(StageError error, string fallbackStage)
    {
        ArgumentNullException.ThrowIfNull(error);
        var code = Enum.IsDefined((PipelineErrorCode)(int)error.Code) ? (PipelineErrorCode)(int)error.Code : PipelineErrorCode.Internal;
        string stage = string.IsNullOrEmpty(error.Stage) ? fallbackStage : error.Stage;
        return new PipelineStageException(code, stage, error.Message);
    }
}
