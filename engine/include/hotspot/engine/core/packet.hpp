#pragma once
// Several arrays in one block of bytes, written and read in the same order: messages between the
// ranks of an MPI job, and the records one reader hands to another. Writer and reader run one
// binary, so plain values travel as their bytes.

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace hotspot::engine
{

class Packet
{
  public:
    Packet() = default;
    explicit Packet(std::string bytes) : m_bytes(std::move(bytes)) {}

    template <class T> void put(const std::vector<T>& values)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        put_one<std::uint64_t>(values.size());
        append(values.data(), values.size() * sizeof(T));
    }
    void put(const std::string& text)
    {
        put_one<std::uint64_t>(text.size());
        append(text.data(), text.size());
    }
    void put(const std::vector<std::string>& texts)
    {
        put_one<std::uint64_t>(texts.size());
        for (const auto& text : texts)
            put(text);
    }
    template <class T> void put_one(const T& value)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        append(&value, sizeof value);
    }

    template <class T> std::vector<T> take()
    {
        std::vector<T> values(take_one<std::uint64_t>());
        read(values.data(), values.size() * sizeof(T));
        return values;
    }
    std::string take_text()
    {
        std::string text(take_one<std::uint64_t>(), '\0');
        read(text.data(), text.size());
        return text;
    }
    std::vector<std::string> take_texts()
    {
        std::vector<std::string> texts(take_one<std::uint64_t>());
        for (auto& text : texts)
            text = take_text();
        return texts;
    }
    template <class T> T take_one()
    {
        T value;
        read(&value, sizeof value);
        return value;
    }

    /// Room for `more` bytes beyond those written, so that large arrays are copied once.
    void reserve(std::size_t more) { m_bytes.reserve(m_bytes.size() + more); }
    const std::string& bytes() const { return m_bytes; }
    /// The bytes, handed over without a copy; the packet is empty after.
    std::string release()
    {
        m_read = 0;
        return std::move(m_bytes);
    }

  private:
    void append(const void* p, std::size_t n)
    {
        if (n > 0)
            m_bytes.append(static_cast<const char*>(p), n);
    }
    /// Throws Error(Internal) when the bytes are fewer than what is read from them.
    void read(void* p, std::size_t n);

    std::string m_bytes;
    std::size_t m_read = 0;
};

} // namespace hotspot::engine
