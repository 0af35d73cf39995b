// pcap_findalldevs as a JavaScript array.
#include <pcap/pcap.h>

#include <cstdio>
#include <string>

#include "addon.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif
#ifdef __linux__
#include <linux/if_packet.h>
#endif
#ifdef __APPLE__
#include <net/if_dl.h>
#endif

namespace tideline {
namespace {

std::string FormatHardwareAddress(const unsigned char* bytes, size_t length) {
  std::string text;
  char part[4];
  for (size_t i = 0; i < length; i++) {
    std::snprintf(part, sizeof part, i == 0 ? "%02x" : ":%02x", bytes[i]);
    text += part;
  }
  return text;
}

// Fill `family` and `text` for one sockaddr; returns false for families the list leaves out.
bool FormatSocketAddress(const struct sockaddr* address, std::string* family, std::string* text) {
  if (address == nullptr) return false;
  char buffer[INET6_ADDRSTRLEN] = {0};
  switch (address->sa_family) {
    case AF_INET: {
      const auto* ipv4 = reinterpret_cast<const struct sockaddr_in*>(address);
      if (inet_ntop(AF_INET, &ipv4->sin_addr, buffer, sizeof buffer) == nullptr) return false;
      *family = "ipv4";
      *text = buffer;
      return true;
    }
    case AF_INET6: {
      const auto* ipv6 = reinterpret_cast<const struct sockaddr_in6*>(address);
      if (inet_ntop(AF_INET6, &ipv6->sin6_addr, buffer, sizeof buffer) == nullptr) return false;
      *family = "ipv6";
      *text = buffer;
      return true;
    }
#ifdef __linux__
    case AF_PACKET: {
      const auto* link = reinterpret_cast<const struct sockaddr_ll*>(address);
      size_t length = link->sll_halen <= sizeof link->sll_addr ? link->sll_halen : sizeof link->sll_addr;
      if (length == 0) return false;
      *family = "link";
      *text = FormatHardwareAddress(link->sll_addr, length);
      return true;
    }
#endif
#ifdef __APPLE__
    case AF_LINK: {
      const auto* link = reinterpret_cast<const struct sockaddr_dl*>(address);
      if (link->sdl_alen == 0) return false;
      *family = "link";
      *text = FormatHardwareAddress(reinterpret_cast<const unsigned char*>(LLADDR(link)), link->sdl_alen);
      return true;
    }
#endif
    default:
      return false;
  }
}

Napi::Value FormatOptionalAddress(Napi::Env env, const struct sockaddr* address) {
  std::string family;
  std::string text;
  if (!FormatSocketAddress(address, &family, &text)) return env.Null();
  return Napi::String::New(env, text);
}

}  // namespace

Napi::Value ListDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pcap_if_t* devices = nullptr;
  char error[PCAP_ERRBUF_SIZE] = {0};
  if (pcap_findalldevs(&devices, error) != 0) ThrowCodedError(env, "device-list-failed", error);

  Napi::Array result = Napi::Array::New(env);
  uint32_t index = 0;
  for (pcap_if_t* device = devices; device != nullptr; device = device->next) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", device->name);
    entry.Set("description", device->description == nullptr ? env.Null() : Napi::String::New(env, device->description));
    entry.Set("flags", Napi::Number::New(env, device->flags));

    Napi::Array addresses = Napi::Array::New(env);
    uint32_t addressIndex = 0;
    for (pcap_addr_t* address = device->addresses; address != nullptr; address = address->next) {
      std::string family;
      std::string text;
      if (!FormatSocketAddress(address->addr, &family, &text)) continue;
      Napi::Object item = Napi::Object::New(env);
      item.Set("family", family);
      item.Set("address", text);
      item.Set("netmask", FormatOptionalAddress(env, address->netmask));
      item.Set("broadcast", FormatOptionalAddress(env, address->broadaddr));
      item.Set("destination", FormatOptionalAddress(env, address->dstaddr));
      addresses.Set(addressIndex++, item);
    }
    entry.Set("addresses", addresses);
    result.Set(index++, entry);
  }
  pcap_freealldevs(devices);
  return result;
}

}  // namespace tideline
