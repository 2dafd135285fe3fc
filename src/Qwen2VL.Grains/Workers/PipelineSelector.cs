using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Qwen2VL.Grains.Workers;

/// <summary>Chooses among assembled pipelines for a new placement: by prefix affinity, else by load.</summary>
internal static class PipelineSelector
{
    /// <summary>
    /// Pipelines with room are preferred; with an affinity key, rendezvous hashing picks among them, so a key keeps
    /// its pipeline while that pipeline lives and only the keys of a lost pipeline move. Without one, the least
    /// utilized pipeline wins, then the one with most free KV tokens.
    /// </summary>
    public static AssembledPipeline? Choose(IReadOnlyList<AssembledPipeline> eligible, string? affinityKey)
    {
        if (eligible.Count == 0)
        {
            return null;
        }

        var withRoom = eligible.Where(p => p.HasRoom).ToList();
        var pool = withRoom.Count > 0 ? withRoom : eligible;
        return affinityKey is null
            ? pool.OrderBy(p => p.Utilization).ThenByDescending(p => p.FreeKvTokens).ThenBy(p => p.Id, StringComparer.Ordinal).First()
            : pool.MaxBy(p => RendezvousScore(affinityKey, p.Id));
    }

    private static ulong RendezvousScore(string affinityKey, string pipelineId) =>
        BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{affinityKey}|{pipelineId}")));
}
