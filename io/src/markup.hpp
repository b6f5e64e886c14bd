#pragma once
// Text made safe inside HTML and XML (the web map, QGIS styles, SLD): the five characters that
// would end a value or open a tag.

#include <string>

namespace hotspot::io::detail
{

inline std::string markup_escaped(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text)
        switch (c)
        {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    return out;
}

} // namespace hotspot::io::detail
