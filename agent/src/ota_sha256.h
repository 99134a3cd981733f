/* SHA-256 (FIPS 180-4), streaming. */
#ifndef OTA_SHA256_H
#define OTA_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t length;
    uint8_t block[64];
    uint32_t used;
} ota_sha256;

void ota_sha256_init(ota_sha256 *s);
void ota_sha256_update(ota_sha256 *s, const uint8_t *data, size_t len);
void ota_sha256_final(ota_sha256 *s, uint8_t out[32]);

#endif
