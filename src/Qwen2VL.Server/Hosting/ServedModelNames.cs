namespace Qwen2VL.Server.Hosting;

/// <summary>The model name clients put in <c>model</c>.</summary>
public static class ServedModelNames
{
    public static string For(ServerOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ServedModelName))
        {
            return options.ServedModelName;
        }

        string model = options.Model ?? "qwen2-vl";
        return Directory.Exists(model) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(model))) : model;
    }
}
