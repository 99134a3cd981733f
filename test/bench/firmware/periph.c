/* The vendor-HAL side of the benchmark firmware: peripheral set-up in the style of STM32Cube / ESP-IDF drivers
 * (a configuration struct per instance, an init function writing its registers, error strings), and the web page
 * and JSON templates an IoT node serves. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REG(a) (*(volatile uint32_t *)(a))

typedef struct {
    uint32_t base, mode, speed, pull, alternate, prescaler, period, flags;
    const char *name;
} periph_config;

#define PERIPHS(X) \
    X(GPIOA, 0x40020000) X(GPIOB, 0x40020400) X(GPIOC, 0x40020800) X(GPIOD, 0x40020c00) X(GPIOE, 0x40021000) \
    X(TIM1, 0x40010000) X(TIM2, 0x40000000) X(TIM3, 0x40000400) X(TIM4, 0x40000800) X(TIM5, 0x40000c00) \
    X(TIM9, 0x40014000) X(TIM10, 0x40014400) X(TIM11, 0x40014800) X(USART1, 0x40011000) X(USART2, 0x40004400) \
    X(USART6, 0x40011400) X(I2C1, 0x40005400) X(I2C2, 0x40005800) X(I2C3, 0x40005c00) X(SPI1, 0x40013000) \
    X(SPI2, 0x40003800) X(SPI3, 0x40003c00) X(ADC1, 0x40012000) X(DMA1_S0, 0x40026010) X(DMA1_S1, 0x40026028) \
    X(DMA1_S2, 0x40026040) X(DMA1_S3, 0x40026058) X(DMA2_S0, 0x40026410) X(DMA2_S1, 0x40026428) X(DMA2_S2, 0x40026440) \
    X(RTC, 0x40002800) X(IWDG, 0x40003000) X(WWDG, 0x40002c00) X(CRC, 0x40023000) X(RNG, 0x50060800)

#define PERIPH_INIT(inst, base_addr)                                                                   \
    static periph_config inst##_config = { base_addr, 2, 3, 1, 7, 83, 999, 0x11, #inst };             \
    int inst##_Init(void);                                                                              \
    int inst##_Init(void)                                                                               \
    {                                                                                                   \
        periph_config *c = &inst##_config;                                                              \
        uint32_t timeout = 10000;                                                                       \
        REG(0x40023830u) |= 1u << ((c->base >> 10) & 31u);                                              \
        REG(c->base + 0x00u) = (REG(c->base + 0x00u) & ~3u) | c->mode;                                  \
        REG(c->base + 0x08u) = (REG(c->base + 0x08u) & ~3u) | c->speed;                                 \
        REG(c->base + 0x0cu) = (REG(c->base + 0x0cu) & ~3u) | c->pull;                                  \
        REG(c->base + 0x20u) = (REG(c->base + 0x20u) & ~15u) | c->alternate;                            \
        REG(c->base + 0x28u) = c->prescaler;                                                            \
        REG(c->base + 0x2cu) = c->period;                                                               \
        REG(c->base + 0x14u) = 1u;                                                                      \
        while ((REG(c->base + 0x10u) & 1u) == 0) {                                                      \
            if (--timeout == 0) {                                                                       \
                printf("%s_Init: timeout waiting for the update flag (base 0x%08lx)\r\n", c->name,      \
                       (unsigned long)c->base);                                                         \
                return -1;                                                                              \
            }                                                                                           \
        }                                                                                               \
        REG(c->base + 0x10u) = 0;                                                                       \
        if (c->flags & 0x10u) REG(c->base + 0x0cu) |= 1u << 8;                                          \
        return 0;                                                                                       \
    }
PERIPHS(PERIPH_INIT)

typedef int (*init_fn)(void);
#define PERIPH_ENTRY(inst, base_addr) { #inst, inst##_Init },
static const struct { const char *name; init_fn init; } periphs[] = { PERIPHS(PERIPH_ENTRY) };

static const char *const error_text[] = {
    "ok", "invalid argument", "out of memory", "timeout", "bus error", "device not found", "checksum mismatch",
    "buffer too small", "not supported", "busy", "no response from the sensor", "the configuration is invalid",
    "the flash is write-protected", "the flash could not be erased", "the flash could not be written",
    "the Wi-Fi network was not found", "the Wi-Fi password was refused", "the MQTT broker refused the connection",
    "the MQTT broker closed the connection", "the DNS lookup failed", "the TLS handshake failed",
    "the certificate has expired", "the clock is not set", "the battery is low", "the battery is critically low",
};

static const char status_page[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
    "<title>Sensor node</title><style>body{font-family:sans-serif;margin:2em;background:#f4f4f4}"
    "table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #ccc;text-align:left}"
    "h1{font-size:1.4em}.ok{color:#070}.bad{color:#a00}</style></head><body><h1>Sensor node %s</h1>"
    "<table><tr><th>Firmware</th><td>%s</td></tr><tr><th>Uptime</th><td>%lu s</td></tr>"
    "<tr><th>Temperature</th><td>%.2f &deg;C</td></tr><tr><th>Humidity</th><td>%.1f %%</td></tr>"
    "<tr><th>Pressure</th><td>%.1f hPa</td></tr><tr><th>Wi-Fi</th><td class=\"%s\">%s</td></tr>"
    "<tr><th>MQTT</th><td class=\"%s\">%s</td></tr><tr><th>Free memory</th><td>%lu bytes</td></tr></table>"
    "<form method=\"post\" action=\"/config\"><h2>Configuration</h2><label>Name <input name=\"name\" value=\"%s\">"
    "</label><br><label>Wi-Fi network <input name=\"ssid\" value=\"%s\"></label><br><label>Wi-Fi password "
    "<input name=\"pass\" type=\"password\"></label><br><label>MQTT broker <input name=\"broker\" value=\"%s\">"
    "</label><br><label>Report every <input name=\"interval\" value=\"%u\"> s</label><br>"
    "<button type=\"submit\">Save and restart</button></form></body></html>";

static const char telemetry_json[] =
    "{\"device\":\"%s\",\"firmware\":\"%s\",\"uptime\":%lu,\"temperature\":%.2f,\"humidity\":%.1f,"
    "\"pressure\":%.1f,\"battery\":{\"voltage\":%.3f,\"percent\":%u},\"wifi\":{\"rssi\":%d,\"channel\":%u},"
    "\"errors\":%lu,\"events\":%lu}";

int periph_init_all(char *out, size_t len);
int periph_init_all(char *out, size_t len)
{
    size_t i;
    int bad = 0;
    for (i = 0; i < sizeof periphs / sizeof periphs[0]; i++) {
        int rc = periphs[i].init();
        if (rc) {
            printf("%s: %s\r\n", periphs[i].name, error_text[(unsigned)-rc % (sizeof error_text / sizeof error_text[0])]);
            bad++;
        }
    }
    snprintf(out, len, status_page, "node-1", "2.4.1", 0ul, 21.5, 40.0, 1013.2, "ok", "connected", "ok", "connected",
             12345ul, "node-1", "home", "mqtt.local", 60u);
    printf(telemetry_json, "node-1", "2.4.1", 0ul, 21.5, 40.0, 1013.2, 3.7, 80u, -60, 6u, 0ul, 0ul);
    return bad;
}
