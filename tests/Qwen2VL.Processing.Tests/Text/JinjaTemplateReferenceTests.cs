using System.Text.Json;
using Qwen2VL.Processing.Text.Jinja;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Text;

/// <summary>
/// Jinja features chat templates use, against jinja_reference_cases.json: outputs of Jinja2 3.1 configured as
/// Hugging Face configures it for chat templates (sandboxed, trim_blocks, lstrip_blocks, loop controls, its
/// json.dumps-based tojson).
/// </summary>
public class JinjaTemplateReferenceTests
{
    private static readonly Lazy<JsonDocument> Cases = new(() => JsonDocument.Parse(File.ReadAllBytes(
        Path.Combine(TestPaths.RepositoryRoot, "tests", "Qwen2VL.Processing.Tests", "Text", "jinja_reference_cases.json"))));

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Cases.Value.RootElement.EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Render_ReferenceCase_MatchesJinja2Output(string name)
    {
        JsonElement c = Cases.Value.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var variables = c.GetProperty("variables").EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        string rendered = JinjaTemplate.Parse(c.GetProperty("template").GetString()!).Render(variables);
        Assert.Equal(c.GetProperty("expected").GetString(), rendered);
    }
}
