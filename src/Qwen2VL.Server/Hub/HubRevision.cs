namespace Qwen2VL.Server.Hub;

/// <summary>What the hub's model API says about a revision: the commit it stands for and the files at it.</summary>
/// <param name="CommitSha">The 40-hex commit sha; every file of this download is fetched at it, so a branch that moves meanwhile cannot mix commits.</param>
/// <param name="Files">The repo's file names (the API's <c>siblings[].rfilename</c>).</param>
public sealed record HubRevision(string CommitSha, IReadOnlySet<string> Files);
