// X.509 certificate facts through OpenSSL's libcrypto (see x509.h).
#include "policies/x509.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

namespace vigil {
namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

// Seconds since the epoch of an ASN1_TIME, through ASN1_TIME_diff against
// the epoch (no timegm, no local time zone).
bool ToUnix(const ASN1_TIME* t, int64_t* out) {
  if (t == nullptr) return false;
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> epoch(ASN1_TIME_set(nullptr, 0),
                                                               ASN1_TIME_free);
  int days = 0, secs = 0;
  if (!epoch || ASN1_TIME_diff(&days, &secs, epoch.get(), t) != 1) return false;
  *out = static_cast<int64_t>(days) * 86400 + secs;
  return true;
}

}  // namespace

std::vector<CertificateInfo> ParsePemCertificates(std::string_view text) {
  std::vector<CertificateInfo> out;
  size_t pos = 0;
  uint32_t line = 1;
  size_t line_pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    line += static_cast<uint32_t>(std::count(text.begin() + line_pos, text.begin() + pos, '\n'));
    line_pos = pos;
    CertificateInfo info;
    info.offset = pos;
    info.line = line;
    size_t end = text.find(kEnd, pos);
    if (end == std::string_view::npos) {
      info.error = "PEM certificate block without an END line";
      out.push_back(std::move(info));
      break;
    }
    std::string_view block = text.substr(pos, end + kEnd.size() - pos);
    pos = end + kEnd.size();
    // A PEM block indented inside YAML (`cert: |`) reads the same once each
    // line's leading blanks are gone.
    std::string pem;
    for (size_t p = 0; p < block.size();) {
      size_t nl = block.find('\n', p);
      if (nl == std::string_view::npos) nl = block.size();
      std::string_view l = block.substr(p, nl - p);
      while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
      while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.remove_suffix(1);
      pem.append(l);
      pem.push_back('\n');
      p = nl + 1;
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, X509_free);
    if (!cert) {
      info.error = "not a readable X.509 certificate";
      out.push_back(std::move(info));
      continue;
    }
    if (!ToUnix(X509_get0_notBefore(cert.get()), &info.not_before) ||
        !ToUnix(X509_get0_notAfter(cert.get()), &info.not_after)) {
      info.error = "certificate validity dates unreadable";
      out.push_back(std::move(info));
      continue;
    }
    if (EVP_PKEY* key = X509_get0_pubkey(cert.get())) {
      info.rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
      info.key_bits = EVP_PKEY_get_bits(key);
    }
    uint32_t usage = X509_get_key_usage(cert.get());
    info.encipher_only = usage != UINT32_MAX && (usage & KU_ENCIPHER_ONLY) != 0;
    if (X509_NAME* name = X509_get_subject_name(cert.get())) {
      std::unique_ptr<BIO, decltype(&BIO_free)> sb(BIO_new(BIO_s_mem()), BIO_free);
      if (sb && X509_NAME_print_ex(sb.get(), name, 0, XN_FLAG_RFC2253) >= 0) {
        char* data = nullptr;
        long n = BIO_get_mem_data(sb.get(), &data);
        if (n > 0 && data != nullptr) info.subject.assign(data, static_cast<size_t>(n));
      }
    }
    info.parsed = true;
    out.push_back(std::move(info));
  }
  return out;
}

std::string FormatDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

bool ParseUtcTime(std::string_view text, int64_t* unix_seconds) {
  // ASN1_TIME_set_string_X509 accepts only ASN.1 forms; build a
  // GeneralizedTime string "YYYYMMDDHHMMSSZ" from ISO 8601.
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.size() == 8) digits += "000000";
  if (digits.size() != 14) return false;
  digits += "Z";
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> t(ASN1_TIME_new(), ASN1_TIME_free);
  if (!t || ASN1_TIME_set_string(t.get(), digits.c_str()) != 1) return false;
  return ToUnix(t.get(), unix_seconds);
}

}  // namespace vigil
