namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>The kinds of token the template lexer produces.</summary>
internal enum JinjaTokenKind
{
    /// <summary>Literal template text, already whitespace-controlled.</summary>
    Text,

    /// <summary><c>{{</c></summary>
    VariableBegin,

    /// <summary><c>}}</c></summary>
    VariableEnd,

    /// <summary><c>{%</c></summary>
    BlockBegin,

    /// <summary><c>%}</c></summary>
    BlockEnd,

    /// <summary>An identifier or keyword.</summary>
    Name,

    /// <summary>A string literal (value unescaped).</summary>
    String,

    /// <summary>An integer literal.</summary>
    Integer,

    /// <summary>A floating-point literal.</summary>
    Float,

    /// <summary>An operator or punctuation.</summary>
    Operator,

    /// <summary>End of the template.</summary>
    End,
}

/// <summary>One lexed token with its text (or unescaped value) and where it starts.</summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, SourcePosition Position)
{
    public bool Is(JinjaTokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string value) => Is(JinjaTokenKind.Name, value);

    public bool IsOperator(string value) => Is(JinjaTokenKind.Operator, value);

    public override string ToString() => Kind switch
    {
        JinjaTokenKind.End => "end of template",
        JinjaTokenKind.Text => "template text",
        JinjaTokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}
