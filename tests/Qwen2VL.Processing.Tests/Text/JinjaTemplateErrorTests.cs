using Qwen2VL.Processing.Text;
using Qwen2VL.Processing.Text.Jinja;

namespace Qwen2VL.Processing.Tests.Text;

public class JinjaTemplateErrorTests
{
    private static readonly Dictionary<string, object?> NoVariables = [];

    [Theory]
    [InlineData("{% include 'other.jinja' %}", "unsupported statement '{% include %}'", 1, 4)]
    [InlineData("ok\n{% extends 'base' %}", "unsupported statement '{% extends %}'", 2, 4)]
    [InlineData("{% for x in xs recursive %}{% endfor %}", "unsupported 'recursive'", 1, 16)]
    [InlineData("{% if x %}never closed", "unexpected end of template; expected '{% elif %}' or '{% else %}' or '{% endif %}'", 1, 23)]
    [InlineData("{{ x ", "tag is never closed", 1, 1)]
    [InlineData("{% endfor %}", "unexpected '{% endfor %}' with no open block", 1, 4)]
    [InlineData("{{ 'abc }}", "string literal is never closed", 1, 4)]
    [InlineData("{{ a ? b }}", "unexpected character '?'", 1, 6)]
    public void Parse_UnsupportedOrMalformed_ThrowsWithConstructAndPosition(string source, string message, int line, int column)
    {
        var error = Assert.Throws<ChatTemplateSyntaxException>(() => JinjaTemplate.Parse(source));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(new SourcePosition(line, column), error.Position);
        Assert.Contains($"line {line}, column {column}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RaiseException_ThrowsRejectedWithTemplateMessage()
    {
        var template = JinjaTemplate.Parse("{% if messages[0].role != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}");
        var messages = new Dictionary<string, object?> { ["messages"] = new[] { new Dictionary<string, object?> { ["role"] = "assistant" } } };

        var error = Assert.Throws<ChatTemplateRaisedException>(() => template.Render(messages));

        Assert.Equal("chat_template_rejected", error.Code);
        Assert.Equal("Conversation must start with user", error.TemplateMessage);
        Assert.IsAssignableFrom<InvalidInputException>(error);
    }

    [Theory]
    [InlineData("{{ x | frobnicate }}", "unsupported filter '| frobnicate'")]
    [InlineData("{{ x is frobnicated }}", "unsupported test 'is frobnicated'")]
    [InlineData("{{ missing.attribute }}", "'missing' is undefined; cannot read its attribute 'attribute'")]
    [InlineData("{{ 1 + 'a' }}", "unsupported operand types for +: int and str")]
    [InlineData("{{ 1 // 0 }}", "integer division or modulo by zero")]
    [InlineData("{{ 'abc'.append('d') }}", "'str' object has no attribute 'append'")]
    [InlineData("{% for x in 5 %}{% endfor %}", "int is not iterable")]
    public void Render_BadOperation_ThrowsRenderExceptionNamingIt(string source, string message)
    {
        var error = Assert.Throws<ChatTemplateRenderException>(() => JinjaTemplate.Parse(source).Render(NoVariables));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("chat_template_failed", error.Code);
        Assert.Equal(1, error.Position.Line);
    }

    [Fact]
    public void Render_ContentOfWrongShape_ThrowsRenderException()
    {
        // The checkpoint's template iterates content that is not a string; a number cannot be iterated.
        var template = ChatTemplate.FromSource("{% for part in messages[0]['content'] %}{{ part }}{% endfor %}");
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = new List<object?> { new Dictionary<string, object?> { ["role"] = "user", ["content"] = 42 } },
        };

        Assert.Throws<ChatTemplateRenderException>(() => template.Render(variables));
    }
}
